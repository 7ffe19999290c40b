-- Sales whose total is not what their lines add up to (quantity times price, less discounts), by more
-- than a cent: a POS rounding bug or a line that never arrived. A handful is known; over 1% fails.
-- table: silver.transactions
-- warn_if: > 0
-- error_if: > 1%
SELECT
    t.transaction_id,
    t.store_id,
    t.sold_at,
    t.total,
    l.lines_total,
    t.customer_email
FROM silver.transactions AS t
JOIN (
    SELECT transaction_id, SUM(quantity * unit_price - COALESCE(discount, 0)) AS lines_total
    FROM silver.transaction_lines
    GROUP BY transaction_id
) AS l
    ON l.transaction_id = t.transaction_id
WHERE ABS(t.total - l.lines_total) > 0.01

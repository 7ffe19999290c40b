-- Grain: one row per line item of a sale, with the keys of every dimension.
-- Incremental: each run recomputes the sales of the last three days it holds (refunds arrive up to two days late).
-- materialized: incremental
-- unique_key: [transaction_id, line_no]
-- time_column: sold_at
-- lookback: 3 days
SELECT
    l.transaction_id,
    l.line_no,
    CAST(t.sold_at AS DATE) AS date_key, -- the day of the sale, UTC
    t.store_id AS store_key,
    t.customer_id AS customer_key,
    l.product_id AS product_key,
    t.sold_at,
    t.status,
    l.quantity,
    l.unit_price,
    COALESCE(l.discount, 0) AS discount,
    l.quantity * l.unit_price - COALESCE(l.discount, 0) AS net_amount -- quantity times price, less the line's discount
FROM silver.transaction_lines AS l
JOIN silver.transactions AS t
    ON t.transaction_id = l.transaction_id

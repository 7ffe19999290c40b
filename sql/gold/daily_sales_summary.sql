-- Revenue per store and day. Void sales are left out; refunds are counted apart.
-- Incremental: each run recomputes the last three days it holds, the days a late refund can still change.
-- materialized: incremental
-- unique_key: [sales_date, store_key]
-- time_column: sales_date
-- lookback: 3 days
SELECT
    f.date_key AS sales_date, -- the day of the sale, UTC
    f.store_key,
    s.store_name,
    s.region,
    COUNT(DISTINCT f.transaction_id) AS transactions, -- paid and refunded sales
    SUM(f.quantity) AS units_sold,
    SUM(f.net_amount) AS gross_revenue, -- paid and refunded sales, before refunds
    SUM(CASE WHEN f.status = 'refunded' THEN f.net_amount ELSE 0 END) AS refunded_amount, -- what refunded sales had taken
    SUM(CASE WHEN f.status = 'paid' THEN f.net_amount ELSE 0 END) AS net_revenue -- revenue net of refunds
FROM gold.fact_sales AS f
LEFT JOIN gold.dim_store AS s
    ON s.store_key = f.store_key
WHERE f.status IN ('paid', 'refunded')
GROUP BY f.date_key, f.store_key, s.store_name, s.region

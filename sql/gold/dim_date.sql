-- A contiguous calendar covering every sale, one row per day.
WITH RECURSIVE calendar (date_key) AS (
    SELECT MIN(CAST(sold_at AS DATE)) FROM silver.transactions
    UNION ALL
    SELECT date_key + 1
    FROM calendar
    WHERE date_key < (SELECT MAX(CAST(sold_at AS DATE)) FROM silver.transactions)
)
SELECT
    date_key,
    EXTRACT(YEAR FROM date_key) AS year,
    EXTRACT(QUARTER FROM date_key) AS quarter,
    EXTRACT(MONTH FROM date_key) AS month,
    EXTRACT(DAY FROM date_key) AS day_of_month,
    EXTRACT(DAYOFWEEK FROM date_key) AS day_of_week,
    EXTRACT(DAYOFWEEK FROM date_key) IN (0, 6) AS is_weekend
FROM calendar
WHERE date_key IS NOT NULL

-- A contiguous calendar covering every sale, one row per day. The first and last day are read once.
WITH RECURSIVE bounds AS (
    SELECT MIN(CAST(sold_at AS DATE)) AS first_day, MAX(CAST(sold_at AS DATE)) AS last_day
    FROM silver.transactions
),
calendar (date_key) AS (
    SELECT first_day FROM bounds
    UNION ALL
    SELECT c.date_key + 1
    FROM calendar AS c
    CROSS JOIN bounds AS b
    WHERE c.date_key < b.last_day
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

-- One row per store, from the shared reference database.
SELECT
    store_id AS store_key,
    store_id,
    name AS store_name,
    city,
    region,
    opened_on
FROM silver.stores

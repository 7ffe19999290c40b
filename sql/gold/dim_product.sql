-- One row per product, with a category for every product.
SELECT
    product_id AS product_key,
    product_id,
    sku,
    name,
    COALESCE(category, 'Uncategorized') AS category,
    unit_price AS list_price,
    COALESCE(active, FALSE) AS is_active,
    updated_at
FROM silver.products

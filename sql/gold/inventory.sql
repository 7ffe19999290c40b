-- Stock on hand per store and product: the running sum of every movement.
SELECT
    m.store_id AS store_key,
    m.product_id AS product_key,
    SUM(m.quantity) AS on_hand,
    SUM(CASE WHEN m.kind = 'receipt' THEN m.quantity ELSE 0 END) AS received,
    -SUM(CASE WHEN m.kind = 'sale' THEN m.quantity ELSE 0 END) AS sold,
    SUM(CASE WHEN m.kind = 'adjustment' THEN m.quantity ELSE 0 END) AS adjusted,
    MAX(m.moved_at) AS last_movement_at
FROM silver.inventory_movements AS m
GROUP BY m.store_id, m.product_id

-- One row per current customer (silver.customers keeps every version). The natural id is the key: the
-- source never reuses ids.
-- sensitive: email (partial)
SELECT
    customer_id AS customer_key,
    customer_id,
    first_name,
    last_name,
    TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) AS full_name,
    email,
    city,
    COALESCE(loyalty_tier, 'none') AS loyalty_tier,
    signup_at,
    updated_at
FROM silver.customers
WHERE is_current

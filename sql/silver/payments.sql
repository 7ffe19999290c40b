-- Grain: one row per sale, with how it was paid, read straight from the point-of-sale records in bronze.
-- Incremental: each run reads only the bronze batches it has not seen; a later version of a sale (a refund)
-- replaces the earlier one.
-- materialized: incremental_by_batch
-- unique_key: transaction_id
-- latest_by: updated_at
SELECT
    _record:id::int AS transaction_id,
    _record:payment.method::string AS payment_method,
    _record:payment.card_last4::string AS card_last4,
    _record:total::number(12, 2) AS amount,
    _record:currency::string AS currency,
    _record:status::string AS status,
    _record:updated_at::timestamp_ntz AS updated_at,
    _batch_id
FROM bronze.retail_pos_transactions
WHERE _record:id::int IS NOT NULL

-- When the shop first confirmed receipt of the order (OrderFulfilled): a merchant that counts the return
-- window from receipt replaces the provisional end set at payment once, at the first confirmation.
alter table paid_order add column receipt_confirmed_at timestamptz;

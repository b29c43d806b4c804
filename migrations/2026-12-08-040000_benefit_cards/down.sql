DELETE FROM role_permissions WHERE permission = 'funds:payment_file';
DELETE FROM permissions WHERE name = 'funds:payment_file';
ALTER TABLE disbursements DROP COLUMN card_masked, DROP COLUMN card_id;
DROP TABLE benefit_cards;

-- Staff email: a changed sign-in email is told to the previous address and to the new one
-- (kinds 'email-old' and 'email-new').
ALTER TABLE staff_mail DROP CONSTRAINT staff_mail_kind_check;
ALTER TABLE staff_mail ADD CONSTRAINT staff_mail_kind_check
    CHECK (kind IN ('invite', 'reset', 'password', 'role', 'device', 'email-old', 'email-new'));

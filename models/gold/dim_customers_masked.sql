{#- dim_customers for readers who may not see personal data in clear: the same rows and keys,
    personal columns masked (mask_pii) or reduced (birth year), plus a stable hash of the
    email for counting and joining. Granted to the restricted analyst role (docs/deploy.md).
    A view, except on Athena, whose views run with the reader's rights on dim_customers. -#}
{{ config(materialized='table' if target.type == 'athena' else 'view') }}

with customers as (

    select * from {{ ref('dim_customers') }}

)

select
    customer_key,
    customer_id,
    version_number,
    valid_from,
    valid_to,
    is_current,
    {{ mask_pii('full_name', 'name') }} as full_name_masked,
    {{ mask_pii('email', 'email') }} as email_masked,
    {{ mask_pii('email', 'hash') }} as email_hash,
    {{ mask_pii('phone', 'phone') }} as phone_masked,
    {{ mask_pii('address_line', 'address') }} as address_masked,
    {{ mask_pii('date_of_birth', 'year') }} as birth_year,
    gender,
    city,
    country_code,
    country_name,
    segment,
    is_unknown_member
from customers

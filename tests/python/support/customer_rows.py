"""Hand-written DMS rows of core_banking.customers (written from the DMS S3 format, not by the
simulator): the header row and one CSV record per call, with a quoted address that holds a
comma, doubled quotes and a newline."""

from __future__ import annotations

CUSTOMER_HEADER = (
    "Op,dms_commit_ts,customer_id,first_name,last_name,email,phone,date_of_birth,gender,"
    "address_line,city,country_code,segment,created_at,updated_at,dms_change_seq"
)


def customer_row(
    customer_id: object, op: str = "I", email: str = "a@example.com", dob: str = "1980-01-02"
) -> str:
    return (
        f"{op},2026-03-01 08:00:00.000000,{customer_id},Ann,Lee,{email},,{dob},F,"
        f'"1 Main St, Flat ""2""\nBrno",Brno,CZ,retail,2020-01-01 00:00:00,2020-01-01 00:00:00,'
    )

"""Changing field records: storing what a phone or a form sends (contacts, incidents, referral
follow-ups) and voiding records. Each change is counted into the reports' roll-ups in the same
transaction, which is why this sits above both `records` (the records themselves, read) and
`reports` (the roll-ups): pages and APIs → ingest → reports → records, clients, catalog.

Plain functions: they flush, never commit. Each store function takes records loaded by their
schema (`checks.load_record`) and answers, for each in order, "created" or "duplicate", or the
InvalidInput (rejected) or Conflict (its id holds other content) that refuses it.
"""

"""The field app's JavaScript messages, translated on the server like every other string."""

from flask_babel import gettext as _


def js_messages() -> dict[str, str]:
    """Messages for static/js, with `{n}` where a number goes."""
    return {
        "all_synced": _("All synced"),
        "waiting": _("{n} waiting to sync"),
        "waiting_one": _("1 waiting to sync"),
        "attention_one": _("1 needs attention"),
        "signin_one": _("Your sign-in has expired. Sign in again to send the waiting record."),
        "others_one": _("1 record of another user waits until they sign in on this phone."),
        "attention": _("{n} need attention"),
        "offline": _("offline"),
        "no_answer": _("no answer from the server; next try at {time}"),
        "server_error": _("the server could not take them (error {code}); next try at {time}"),
        "refused": _("the server refused them (error {code}); next try at {time}"),
        "not_understood": _("the server's answer was not understood; next try at {time}"),
        "left_out": _("the server's answer left out {n} records; next try at {time}"),
        "left_out_one": _("the server's answer left out 1 record; next try at {time}"),
        "signed_in_as_other": _(
            "{other} is signed in on this phone now: the {n} records {user} made wait until "
            "{user} signs in again."
        ),
        "signed_in_as_other_one": _(
            "{other} is signed in on this phone now: the record {user} made waits until "
            "{user} signs in again."
        ),
        "clock_fast": _(
            "This phone's clock is {n} minutes fast. The server corrects the times of its "
            "records; set the clock when you can."
        ),
        "clock_slow": _(
            "This phone's clock is {n} minutes slow. The server corrects the times of its "
            "records; set the clock when you can."
        ),
        "clock_fast_hours": _(
            "This phone's clock is {n} hours fast. The server corrects the times of its "
            "records; set the clock when you can."
        ),
        "clock_slow_hours": _(
            "This phone's clock is {n} hours slow. The server corrects the times of its "
            "records; set the clock when you can."
        ),
        "clock_uncorrected": _(
            "This phone's clock is off by {n} hours, too far to be corrected. Set the date and "
            "time in the phone's settings."
        ),
        "signin": _("Your sign-in has expired. Sign in again to send {n} waiting records."),
        "sign_in": _("Sign in"),
        "others": _("{n} records of another user wait until they sign in on this phone."),
        "conflict": _("A different record with this id is already stored."),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this record? It will not be sent."),
        "fixing": _("Fix the record and save it again."),
        "saved_contact": _("Contact saved on this phone."),
        "saved_incident": _("Incident saved on this phone."),
        "saved_referral_update": _("Follow-up saved on this phone."),
        "saved_stock_movement": _("Stock record saved on this phone."),
        "save_failed": _("This phone could not save the record. Please try again."),
        "follow_up_waiting": _("Follow-up saved; waiting to sync."),
        # Sealed records (issue 16): the phone cannot read back what it saved.
        "insecure_context": _(
            "This connection is not secure, so this phone cannot seal the records it keeps: "
            "saving without signal needs HTTPS. With signal the forms still work: each record "
            "goes straight to the server."
        ),
        "no_seal_key": _(
            "This phone has no key yet to seal records with. Open the app once with signal, "
            "then save again."
        ),
        "fix_opening": _("Opening the record to fix…"),
        "fix_offline": _(
            "Fixing needs a connection: the record is sealed on this phone and only the server "
            "can open it. Try again with signal; the record stays under Records that need "
            "attention."
        ),
        "fix_signin": _(
            "Sign in again to fix this record; it stays under Records that need attention."
        ),
        "fix_refused": _("This record cannot be opened to fix. {message}"),
        "update_blocked": _("Save or clear the form first, then update."),
        "catalog_waiting": _(
            "The lists of sites, equipment or referrals have changed. Save or clear the form "
            "to see the new ones."
        ),
        "catalog_updated": _(
            "The form now shows the latest lists of sites, equipment and referrals."
        ),
        "type_contact": _("Contact"),
        "type_incident": _("Incident"),
        "type_referral_update": _("Follow-up"),
        "type_stock_movement": _("Stock"),
        # Stock beside each item of the contact form.
        "stock": _("{n} in stock"),
        "stock_low": _("{n} in stock, running low"),
        # Field names in the server's messages about a record.
        "field_id": _("Record id"),
        "field_occurred_at": _("Time"),
        "field_site": _("Site"),
        "field_kind": _("Kind"),
        "field_client_code": _("Client code"),
        "field_people_count": _("People"),
        "field_on_behalf_of": _("Also collects for (people)"),
        "field_gender": _("Gender"),
        "field_birth_year": _("Birth year"),
        "field_flags": _("Target groups"),
        "field_substances": _("Substances used"),
        "field_route": _("Route (DCR)"),
        "field_items": _("Equipment given"),
        "field_quantity": _("Quantity"),
        "field_item": _("Item"),
        "field_lot": _("Lot"),
        "field_returned_syringes": _("Syringes returned"),
        "field_naloxone_refill_reason": _("Reason for a refill"),
        "field_overdose_reversals": _("Overdose reversals reported"),
        "field_referrals": _("Referrals"),
        "field_referred_to": _("Referred to (organisation)"),
        "field_naloxone_doses": _("Naloxone doses given"),
        "field_outcome": _("Outcome"),
        "field_referral_id": _("Referral"),
        "field_status": _("What happened"),
    }

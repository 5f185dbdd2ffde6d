"""The field app's JavaScript messages, translated on the server like every other string."""

from flask_babel import gettext as _


def js_messages() -> dict[str, str]:
    """Messages for static/js, with `{n}` where a number goes."""
    return {
        "all_synced": _("All synced"),
        "waiting": _("{n} waiting to sync"),
        "attention": _("{n} need attention"),
        "offline": _("offline"),
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
        "save_failed": _("This phone could not save the record. Please try again."),
        "follow_up_waiting": _("Follow-up saved; waiting to sync."),
        "update_blocked": _("Save or clear the form first, then update."),
        "type_contact": _("Contact"),
        "type_incident": _("Incident"),
        "type_referral_update": _("Follow-up"),
    }

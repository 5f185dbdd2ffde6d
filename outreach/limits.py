"""Every numeric limit on what staff and phones enter, in one place: the models' CHECK
constraints, the schemas and the forms read them from here (templates have them as `limits`)."""

# A contact
MAX_QUANTITY = 10_000  # of one item at a contact, syringes returned, an item of a usual pack
MIN_PEOPLE = 1  # at a contact
MAX_PEOPLE = 500  # people at a group contact, and people one collects for
MAX_OVERDOSE_REVERSALS = 100
MAX_ITEMS = 60  # kinds of item at one contact
MAX_REFERRALS = 20
EARLIEST_BIRTH_YEAR = 1920
YOUNGEST_AGE = 10  # the latest birth year is this many years before the current one
MAX_REFERRED_TO = 120  # characters naming the organisation referred to

# An incident
MAX_NALOXONE_DOSES = 20

# Reports: years 1900-2099 (a month's bounds and the dashboard's year back stay within what
# Python's dates hold; the month's pattern, YYYY-MM, says the same)
FIRST_REPORT_YEAR = 1900
LAST_REPORT_YEAR = 2099

# Stock
MAX_STOCK_QUANTITY = 1_000_000  # units in one movement, a running-low level
MAX_LOT = 40  # characters of a lot number
MAX_REFERENCE = 60  # characters of a delivery's reference (an order number; never a name)
MIN_EXPIRY_WARNING_DAYS = 1  # lots expiring within this many days are shown (a setting)
MAX_EXPIRY_WARNING_DAYS = 365

# Voiding a record: the reason, in characters
MIN_VOID_REASON = 3
MAX_VOID_REASON = 200

# The catalog
MAX_CODE = 40
MAX_NAME = 120
MAX_UNIT = 20
MAX_CITY = 80
MAX_SORT_ORDER = 9999  # an entry's position in the lists
MAX_USUAL_PACKS = 10
MAX_PACK_NAME = 60

"""Invented names for the demo: companies, people, deals (English and Arabic).

Everything here is made up from generic words and common given names; no company or
person is meant to be real. Arabic names come with a Latin transliteration so e-mail
addresses stay ASCII.
"""

from __future__ import annotations

import random

# --- companies -------------------------------------------------------------------------

_EN_COMPANY_HEADS = (
    "Blue Dune",
    "Falcon Ridge",
    "Cedar Point",
    "Harbor Lane",
    "Silver Oasis",
    "Northgate",
    "Amber Field",
    "Copper Sky",
    "Quiet Meadow",
    "Red Sea Bay",
    "Lantern Hill",
    "Granite Way",
    "Palm Crest",
    "Iron Wadi",
    "Saffron Gate",
    "Tidewater",
    "Brightwell",
    "Stonebridge",
)
_EN_COMPANY_TAILS = (
    "Logistics",
    "Health",
    "Retail",
    "Fintech",
    "Telecom",
    "Hospitality",
    "Energy Services",
    "Realty",
    "Learning",
    "Foods",
    "Mobility",
    "Insurance Brokers",
)
_EN_COMPANY_FORMS = ("Ltd", "Group", "Co.", "Holdings", "LLC")

_AR_COMPANY_FORMS = ("مجموعة", "شركة", "مؤسسة", "دار")
_AR_COMPANY_CORES = (
    "الواحة",
    "السديم",
    "الرمال الذهبية",
    "النخبة",
    "المدار",
    "الأفق",
    "الينابيع",
    "القمة",
    "الريادة",
    "المرجان",
    "الصقر الأبيض",
    "النخيل",
    "الجسر",
    "البيان",
    "السنابل",
    "الندى",
)
_AR_COMPANY_TAILS = (
    "للتقنية",
    "للخدمات المالية",
    "للتجارة",
    "الرقمية",
    "للاتصالات",
    "للخدمات اللوجستية",
    "للرعاية الصحية",
    "للتطوير العقاري",
    "للتعليم",
    "للضيافة",
)
# Latin slugs of the Arabic cores, for e-mail domains.
_AR_CORE_SLUGS = (
    "alwaha",
    "alsadeem",
    "goldensands",
    "alnukhba",
    "almadar",
    "alofoq",
    "alyanabee",
    "alqimma",
    "alriyada",
    "almarjan",
    "whitefalcon",
    "alnakheel",
    "aljisr",
    "albayan",
    "alsanabel",
    "alnada",
)

# --- people ----------------------------------------------------------------------------

_EN_GIVEN = (
    "Amelia",
    "Noah",
    "Olivia",
    "Liam",
    "Maya",
    "Ethan",
    "Chloe",
    "Lucas",
    "Hannah",
    "Owen",
    "Isla",
    "Leo",
    "Grace",
    "Adam",
    "Zoe",
    "Ryan",
    "Nora",
    "Daniel",
    "Ella",
    "Samuel",
)
_EN_FAMILY = (
    "Ashdown",
    "Brookfield",
    "Calloway",
    "Dunmore",
    "Ellerby",
    "Fairholt",
    "Garrow",
    "Hartwell",
    "Ingleby",
    "Jessop",
    "Kettering",
    "Lindqvist",
    "Marchetti",
    "Northcott",
    "Okafor",
    "Pemberton",
    "Quayle",
    "Rowntree",
    "Sallow",
    "Thornbury",
)
# (Arabic, transliteration) pairs; family names are generic nisba-style words.
_AR_GIVEN = (
    ("محمد", "mohammed"),
    ("نورة", "noura"),
    ("عبدالله", "abdullah"),
    ("سارة", "sara"),
    ("فيصل", "faisal"),
    ("ريم", "reem"),
    ("خالد", "khalid"),
    ("لمى", "lama"),
    ("سلطان", "sultan"),
    ("هيفاء", "haifa"),
    ("تركي", "turki"),
    ("جود", "joud"),
    ("ماجد", "majed"),
    ("دانة", "dana"),
    ("يوسف", "yousef"),
    ("العنود", "alanoud"),
)
_AR_FAMILY = (
    ("الحربي", "alharbi"),
    ("الزهراني", "alzahrani"),
    ("العتيبي", "alotaibi"),
    ("الشمري", "alshammari"),
    ("القحطاني", "alqahtani"),
    ("الدوسري", "aldosari"),
    ("الغامدي", "alghamdi"),
    ("المطيري", "almutairi"),
    ("السبيعي", "alsubaie"),
    ("البلوي", "albalawi"),
    ("الشهري", "alshehri"),
    ("العنزي", "alanazi"),
)

# --- deals -----------------------------------------------------------------------------

_EN_DEAL_CLIENTS = (
    "Riverside Clinics",
    "Metro Couriers",
    "Oakline Schools",
    "Sunrise Hotels",
    "Vertex Bank",
    "Greenleaf Markets",
    "Summit Insurance",
    "Coastal Freight",
    "Atlas Pharmacies",
    "Horizon Telecom",
    "Pioneer Motors",
    "Crescent Malls",
)
_EN_DEAL_ITEMS = (
    "WhatsApp campaign bundle",
    "annual messaging renewal",
    "OTP volume tier",
    "SMS failover add-on",
    "enterprise seat expansion",
    "compliance reporting pack",
    "API throughput upgrade",
    "regional rollout",
)
_AR_DEAL_CLIENTS = (
    "عيادات النهر",
    "مدارس الأوائل",
    "فنادق الشروق",
    "أسواق الخير",
    "صيدليات الشفاء",
    "نقل الساحل",
    "مصرف الوفاء",
    "معارض الرواد",
)
_AR_DEAL_ITEMS = (
    "تجديد عقد الرسائل السنوي",
    "باقة حملات واتساب",
    "ترقية سعة واجهة البرمجة",
    "توسعة المقاعد",
    "حزمة تقارير الامتثال",
    "إطلاق إقليمي",
)


def company_name(rng: random.Random, locale: str) -> tuple[str, str]:
    """An invented company name and a Latin slug for its e-mail domain."""
    if locale == "ar":
        core = rng.randrange(len(_AR_COMPANY_CORES))
        name = (
            f"{rng.choice(_AR_COMPANY_FORMS)} {_AR_COMPANY_CORES[core]} "
            f"{rng.choice(_AR_COMPANY_TAILS)}"
        )
        return name, _AR_CORE_SLUGS[core]
    head = rng.choice(_EN_COMPANY_HEADS)
    name = f"{head} {rng.choice(_EN_COMPANY_TAILS)} {rng.choice(_EN_COMPANY_FORMS)}"
    return name, head.lower().replace(" ", "")


def person_name(rng: random.Random, locale: str) -> tuple[str, str]:
    """An invented full name and its ``first.last`` e-mail local part."""
    if locale == "ar":
        given, given_latin = rng.choice(_AR_GIVEN)
        family, family_latin = rng.choice(_AR_FAMILY)
        return f"{given} {family}", f"{given_latin}.{family_latin}"
    given = rng.choice(_EN_GIVEN)
    family = rng.choice(_EN_FAMILY)
    return f"{given} {family}", f"{given}.{family}".lower()


def deal_name(rng: random.Random, locale: str) -> str:
    if locale == "ar":
        return f"{rng.choice(_AR_DEAL_CLIENTS)} — {rng.choice(_AR_DEAL_ITEMS)}"
    return f"{rng.choice(_EN_DEAL_CLIENTS)} — {rng.choice(_EN_DEAL_ITEMS)}"

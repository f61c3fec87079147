"""What the sample site's synthetic stories are made of: speakers, beats and their sentences.

This is data, not logic (`stories.py` assembles articles from it). Every sentence about a real
person or body is a bland, attributed policy statement in the style of wire copy, and every page
built from it is marked as synthetic. A `Line` may carry a date window (inclusive, 2021) so that,
say, the Kandahar mosque attack is never mentioned before 15 October.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

Day = tuple[int, int]  # (month, day) in 2021


@dataclass(frozen=True)
class Speaker:
    name: str  # canonical name, as written on first mention
    short: str  # name on a later mention
    title: str  # goes before the name: "UN Secretary-General Antonio Guterres"
    role: str  # apposition: "Antonio Guterres, the UN secretary-general,"
    org: bool = False  # an organisation: speaks "in a statement"
    canonical: str = ""  # the name the manifest uses, when not `name` (matches config/actors.toml)

    @property
    def actor(self) -> str:
        return self.canonical or self.name


@dataclass(frozen=True)
class Line:
    text: str
    after: Day | None = None  # first day (inclusive) the line may be used
    before: Day | None = None  # last day (inclusive)
    city: str | None = None  # a lead's dateline, when the beat's usual ones would not fit

    def valid_on(self, day: date) -> bool:
        if self.after and day < date(2021, *self.after):
            return False
        return not (self.before and day > date(2021, *self.before))


@dataclass(frozen=True)
class Quote:
    speaker: str  # key into SPEAKERS
    text: str  # no closing punctuation: the template adds it
    after: Day | None = None
    before: Day | None = None

    def valid_on(self, day: date) -> bool:
        return Line("", self.after, self.before).valid_on(day)


@dataclass(frozen=True)
class Report:
    """Indirect speech: "<clause>, according to X." or "X told reporters that <clause>."."""

    speaker: str
    clause: str  # starts lower case, no closing punctuation
    after: Day | None = None
    before: Day | None = None

    def valid_on(self, day: date) -> bool:
        return Line("", self.after, self.before).valid_on(day)


@dataclass(frozen=True)
class Beat:
    key: str
    subject: str  # a short noun phrase for headlines: "the Doha talks"
    topic: str  # the manifest's topic name
    diplomatic: bool  # decides the section an outlet files it under
    window: tuple[Day, Day]
    weight: int
    datelines: tuple[str, ...]
    headlines: tuple[Line, ...]
    leads: tuple[Line, ...]
    quotes: tuple[Quote, ...]
    background: tuple[Line, ...]
    reports: tuple[Report, ...] = ()


def _s(name, short, title, role, org=False, canonical=""):
    return name, Speaker(name, short, title, role, org, canonical)


SPEAKERS: dict[str, Speaker] = dict(
    [
        _s("Amir Khan Muttaqi", "Muttaqi", "Taliban acting Foreign Minister", "the Taliban's acting foreign minister"),
        _s("Zabihullah Mujahid", "Mujahid", "Taliban spokesman", "the Taliban's chief spokesman"),
        _s("Suhail Shaheen", "Shaheen", "Taliban official", "a senior Taliban official based in Doha"),
        _s("Abdul Ghani Baradar", "Baradar", "senior Taliban leader", "a co-founder of the Taliban"),
        _s("Hasan Akhund", "Akhund", "acting Prime Minister", "the head of the Taliban's interim government", canonical="Mohammad Hassan Akhund"),
        _s("Sirajuddin Haqqani", "Haqqani", "acting Interior Minister", "the Taliban's acting interior minister"),
        _s("Abdul Salam Hanafi", "Hanafi", "Taliban Deputy Prime Minister", "a deputy prime minister in the Taliban government"),
        _s("Antonio Guterres", "Guterres", "UN Secretary-General", "the UN secretary-general"),
        _s("Martin Griffiths", "Griffiths", "UN humanitarian chief", "the UN's emergency relief coordinator"),
        _s("Deborah Lyons", "Lyons", "UN special envoy", "the head of the UN Assistance Mission in Afghanistan (UNAMA)"),
        _s("Filippo Grandi", "Grandi", "UN refugee chief", "the UN High Commissioner for Refugees"),
        _s("David Beasley", "Beasley", "WFP Executive Director", "the head of the World Food Programme"),
        _s("Henrietta Fore", "Fore", "UNICEF Executive Director", "the head of UNICEF"),
        _s("Josep Borrell", "Borrell", "EU foreign policy chief", "the European Union's foreign policy chief"),
        _s("Nabila Massrali", "Massrali", "EU spokesperson", "a spokesperson for the European Union"),
        _s("Ursula von der Leyen", "von der Leyen", "European Commission President", "the president of the European Commission"),
        _s("Mario Draghi", "Draghi", "Italian Prime Minister", "Italy's prime minister"),
        _s("Zalmay Khalilzad", "Khalilzad", "US special envoy", "Washington's special envoy for Afghanistan"),
        _s("Thomas West", "West", "US Special Representative", "the US special representative for Afghanistan"),
        _s("Antony Blinken", "Blinken", "Secretary of State", "the US secretary of state"),
        _s("Ned Price", "Price", "State Department spokesman", "the State Department spokesman"),
        _s("Jens Stoltenberg", "Stoltenberg", "NATO Secretary-General", "NATO's secretary-general"),
        _s("Sergei Lavrov", "Lavrov", "Russian Foreign Minister", "Russia's foreign minister"),
        _s("Zamir Kabulov", "Kabulov", "Kremlin envoy", "Russia's special envoy for Afghanistan"),
        _s("Wang Yi", "Wang", "Chinese Foreign Minister", "China's foreign minister"),
        _s("Shah Mahmood Qureshi", "Qureshi", "Pakistani Foreign Minister", "Pakistan's foreign minister"),
        _s("Imran Khan", "Khan", "Pakistani Prime Minister", "Pakistan's prime minister"),
        _s("Mohammed bin Abdulrahman Al Thani", "Sheikh Mohammed", "Qatari Foreign Minister Sheikh", "Qatar's foreign minister"),
        _s("Mevlut Cavusoglu", "Cavusoglu", "Turkish Foreign Minister", "Turkey's foreign minister"),
        _s("Kristalina Georgieva", "Georgieva", "IMF Managing Director", "the head of the International Monetary Fund"),
        _s("Ahmad Massoud", "Massoud", "resistance leader", "the leader of the National Resistance Front (NRF)"),
        _s("Amrullah Saleh", "Saleh", "former Vice President", "Afghanistan's former first vice president"),
        _s("Hamid Karzai", "Karzai", "former President", "Afghanistan's former president"),
        _s("Abdullah Abdullah", "Abdullah", "former chief executive", "a senior Afghan politician"),
        _s("UNAMA", "UNAMA", "", "the UN Assistance Mission in Afghanistan (UNAMA)", org=True),
        _s("WFP", "WFP", "", "the World Food Programme (WFP)", org=True, canonical="World Food Programme"),
        _s("UNICEF", "UNICEF", "", "UNICEF", org=True),
        _s("OCHA", "OCHA", "", "the UN Office for the Coordination of Humanitarian Affairs (OCHA)", org=True),
        _s("UNHCR", "UNHCR", "", "the UN refugee agency (UNHCR)", org=True),
        _s("ICRC", "ICRC", "", "the International Committee of the Red Cross (ICRC)", org=True, canonical="International Committee of the Red Cross"),
        _s("World Bank", "World Bank", "", "the World Bank", org=True),
        _s("UNODC", "UNODC", "", "the UN Office on Drugs and Crime (UNODC)", org=True),
    ]
)

# Names the generator looks for in a finished article to list its actors in the manifest:
# canonical name (as in config/actors.toml where the actor is there) -> the spellings that count as
# a mention (people: the full name, which every story writes on first mention).
ACTOR_ALIASES: dict[str, tuple[str, ...]] = {
    **{sp.actor: (name,) for name, sp in SPEAKERS.items() if not sp.org},
    "Ashraf Ghani": ("Ashraf Ghani",),
    "Ghulam Isaczai": ("Ghulam Isaczai",),
    "Yue Xiaoyong": ("Yue Xiaoyong",),
    "Taliban": ("Taliban", "Islamic Emirate"),
    "Islamic State Khorasan Province": ("ISKP", "IS-K", "Islamic State Khorasan"),
    "Haqqani network": ("Haqqani network",),
    "National Resistance Front": ("National Resistance Front", "NRF"),
    "Tehrik-i-Taliban Pakistan": ("Tehreek-e-Taliban Pakistan", "TTP"),
    "United Nations": ("United Nations",),
    "UN Security Council": ("UN Security Council",),
    "UN General Assembly": ("UN General Assembly",),
    "UNAMA": ("UNAMA",),
    "World Food Programme": ("World Food Programme", "WFP"),
    "UNICEF": ("UNICEF",),
    "OCHA": ("OCHA",),
    "UNHCR": ("UNHCR", "UN refugee agency"),
    "International Committee of the Red Cross": ("International Committee of the Red Cross", "ICRC"),
    "UNODC": ("UNODC",),
    "NATO": ("NATO",),
    "Organisation of Islamic Cooperation": ("Organisation of Islamic Cooperation", "OIC"),
    "International Monetary Fund": ("International Monetary Fund", "IMF"),
    "World Bank": ("World Bank",),
    "European Union": ("European Union", "EU"),
    "Da Afghanistan Bank": ("Da Afghanistan Bank",),
    "G20": ("G20", "Group of 20"),
    **{state: (state,) for state in ("United States", "Pakistan", "Russia", "China", "Qatar", "Turkey", "Iran", "India", "Italy")},
}

L = Line
Q = Quote
R = Report

BEATS: tuple[Beat, ...] = (
    Beat(
        "kabul_falls", "the fall of Kabul", "fall_of_kabul", False, ((8, 15), (8, 22)), 2,
        ("KABUL", "DOHA", "WASHINGTON"),
        headlines=(
            L("Taliban enter Kabul as Western-backed government collapses"),
            L("Taliban say they seek peaceful transfer of power in Kabul"),
            L("World powers scramble to respond as Taliban take Kabul"),
            L("Foreign missions evacuate staff as Taliban take over Afghan capital"),
        ),
        leads=(
            L("Taliban fighters took control of Kabul this week as foreign governments rushed to evacuate diplomats and Afghan staff and the Western-backed administration collapsed."),
            L("The Taliban said on {weekday} they wanted a peaceful transfer of power and would guarantee the safety of foreign missions in Kabul, as crowds gathered at the city's airport."),
            L("Foreign ministers held emergency calls on {weekday} to coordinate their response to the Taliban takeover of Kabul, with several capitals saying recognition was not on the table."),
        ),
        quotes=(
            Q("Suhail Shaheen", "We assure the people of Afghanistan, particularly in the city of Kabul, that their properties and their lives are safe"),
            Q("Zabihullah Mujahid", "The Islamic Emirate does not want any enemies, inside or outside the country"),
            Q("Antony Blinken", "Our priority is the safety of our personnel and of the Afghans who worked alongside us"),
            Q("Antonio Guterres", "The world is following events in Afghanistan with a heavy heart and deep disquiet about what lies ahead"),
            Q("Jens Stoltenberg", "NATO allies are working together to support the evacuation of their citizens and partners"),
            Q("Hamid Karzai", "I call on all sides to show restraint and to protect the lives of civilians"),
            Q("Amrullah Saleh", "I remain in the country and I will not bow to the Taliban"),
        ),
        background=(
            L("Thousands of people crowded into Hamid Karzai International Airport in the hope of boarding evacuation flights, as the United States sent additional troops to secure the airfield."),
            L("Taliban political leaders in Doha had been negotiating with the Afghan government for months, but the talks made little progress as the group's fighters advanced across the provinces."),
            L("Former President Hamid Karzai and Abdullah Abdullah said they had formed a council to help manage a peaceful transition."),
            L("Russia, China and Pakistan said they would keep their embassies in Kabul open, while most Western missions moved their staff to the airport."),
        ),
        reports=(
            R("Zabihullah Mujahid", "the group would announce an inclusive government in the coming weeks"),
            R("Ned Price", "Washington was in contact with Taliban representatives in Doha about the security of the airport"),
        ),
    ),
    Beat(
        "evacuation_airlift", "the Kabul airlift", "evacuation", False, ((8, 17), (8, 31)), 3,
        ("KABUL", "WASHINGTON", "DOHA", "BRUSSELS"),
        headlines=(
            L("Evacuation flights race against Aug. 31 deadline at Kabul airport"),
            L("Taliban say foreign troops must leave by Aug. 31"),
            L("NATO allies press for safe passage for Afghans leaving Kabul"),
            L("Airlift from Kabul gathers pace as deadline nears"),
            L("Thousands wait at Kabul airport gates hoping to leave"),
            L("Allies scale back airlift as US withdrawal nears", after=(8, 25)),
        ),
        leads=(
            L("Military transport planes flew thousands more people out of Kabul on {weekday} as Western countries raced to complete evacuations before the Aug. 31 deadline for the withdrawal of US troops."),
            L("The Taliban said on {weekday} that foreign forces must complete their withdrawal by the end of August and urged skilled Afghans not to leave the country.", city="KABUL"),
            L("Foreign ministers of NATO countries discussed on {weekday} how to guarantee safe passage to the airport for Afghans who worked with Western missions.", city="BRUSSELS"),
        ),
        quotes=(
            Q("Zabihullah Mujahid", "The road to the airport is closed for Afghans, but foreigners are allowed to go there"),
            Q("Zabihullah Mujahid", "We ask the Americans not to encourage Afghan professionals such as doctors and engineers to leave the country"),
            Q("Antony Blinken", "There is no deadline on our commitment to help Afghans who want to leave after Aug. 31"),
            Q("Jens Stoltenberg", "Our focus now is on getting people out as quickly and as safely as possible"),
            Q("Josep Borrell", "The European Union will continue to work to secure safe passage for those at risk"),
            Q("Zalmay Khalilzad", "We expect the Taliban to honour their commitment to allow safe passage"),
            Q("Mevlut Cavusoglu", "Turkey is ready to help with the operation of Kabul airport if the conditions are right"),
        ),
        background=(
            L("More than 100,000 people were flown out of Kabul in the two weeks after the Taliban took over the capital, according to US officials."),
            L("Crowds of people seeking to leave gathered outside the airport gates, many of them without travel documents."),
            L("Taliban checkpoints on the roads leading to the airport made it difficult for many Afghans to reach the evacuation flights."),
            L("Qatar has become the main transit hub for people evacuated from Kabul, with thousands housed temporarily near Doha."),
        ),
        reports=(
            R("Ned Price", "about 100 countries had signed a statement saying they had received assurances from the Taliban on the departure of foreign nationals and Afghans with travel authorisation", after=(8, 29)),
            R("Jens Stoltenberg", "allies would keep working to evacuate as many people as possible"),
        ),
    ),
    Beat(
        "airport_attack", "the airport attack", "iskp_attacks", False, ((8, 26), (9, 4)), 2,
        ("KABUL", "WASHINGTON"),
        headlines=(
            L("Islamic State claims deadly suicide bombing outside Kabul airport"),
            L("Kabul airport bombing kills scores of Afghans and 13 US troops"),
            L("World leaders condemn Kabul airport attack as evacuations continue"),
        ),
        leads=(
            L("A suicide bomber struck crowds outside Kabul's airport on Aug. 26, killing scores of Afghans and 13 US service members in an attack claimed by the Islamic State's regional affiliate, ISKP."),
            L("Evacuation flights resumed from Kabul on {weekday} under tightened security after the suicide bombing at the Abbey Gate of the airport, which the Islamic State Khorasan group said it carried out.", after=(8, 27)),
            L("Governments around the world condemned the bombing outside Hamid Karzai International Airport, the deadliest attack in Kabul since the Taliban took control of the city."),
        ),
        quotes=(
            Q("Antonio Guterres", "I condemn in the strongest terms the terrorist attack near Kabul airport"),
            Q("Jens Stoltenberg", "Our priority remains to evacuate as many people as possible, as quickly as possible"),
            Q("Zabihullah Mujahid", "The Islamic Emirate strongly condemns the bombing targeting civilians at Kabul airport"),
            Q("Antony Blinken", "The evacuation will continue despite this attack"),
            Q("ICRC", "Hospitals in Kabul are treating large numbers of wounded people and need urgent supplies"),
        ),
        background=(
            L("ISKP, the Islamic State's affiliate in Afghanistan and Pakistan, is an enemy of the Taliban and has attacked both civilians and Taliban fighters."),
            L("Western intelligence agencies had warned of the risk of an attack on the crowds waiting outside the airport gates."),
            L("The Pentagon said it was reviewing security arrangements around the airport."),
            L("A hospital in Kabul run by an Italian charity said it had received dozens of wounded people."),
        ),
        reports=(
            R("Ned Price", "the United States would continue to help American citizens and Afghans with travel documents leave the country"),
        ),
    ),
    Beat(
        "panjshir_nrf", "Panjshir", "resistance", False, ((8, 20), (9, 20)), 2,
        ("KABUL", "DUSHANBE"),
        headlines=(
            L("Taliban and resistance forces clash in Panjshir valley"),
            L("Panjshir resistance calls for talks as Taliban advance"),
            L("Taliban say they control Panjshir; NRF says fighting continues", after=(9, 6)),
            L("Massoud says resistance front open to negotiations"),
        ),
        leads=(
            L("Fighting between the Taliban and the National Resistance Front (NRF) in the Panjshir valley intensified on {weekday}, with both sides claiming to have inflicted heavy losses.", after=(8, 30)),
            L("Ahmad Massoud, the leader of the National Resistance Front, said on {weekday} he was open to negotiations with the Taliban but would not surrender the Panjshir valley."),
            L("The Taliban said they had taken control of the Panjshir valley, the last province to resist their rule, a claim rejected by the National Resistance Front.", after=(9, 6)),
        ),
        quotes=(
            Q("Ahmad Massoud", "We are ready to negotiate, but we will defend our valley if we are attacked"),
            Q("Zabihullah Mujahid", "The Islamic Emirate wants the problem to be resolved through talks"),
            Q("Amrullah Saleh", "The resistance will continue for the sake of the people of Afghanistan"),
            Q("OCHA", "Humanitarian partners are concerned about the situation of civilians in Panjshir"),
        ),
        background=(
            L("The Panjshir valley, north of Kabul, resisted Soviet forces in the 1980s and the Taliban in the 1990s under the command of Ahmad Shah Massoud, the father of the NRF leader."),
            L("Former Vice President Amrullah Saleh joined the resistance in Panjshir after the fall of Kabul."),
            L("Communications in the valley were cut for much of the fighting, making it difficult to verify claims from either side."),
            L("Talks between Taliban representatives and resistance leaders broke down at the end of August.", after=(8, 31)),
        ),
        reports=(
            R("Zabihullah Mujahid", "Taliban forces had entered the provincial capital, Bazarak", after=(9, 6)),
        ),
    ),
    Beat(
        "interim_government", "the new cabinet", "interim_government", True, ((9, 7), (9, 30)), 3,
        ("KABUL", "DOHA", "WASHINGTON", "BRUSSELS"),
        headlines=(
            L("Taliban name Hasan Akhund to lead interim government"),
            L("Taliban cabinet draws criticism for excluding women"),
            L("Baradar, Haqqani take senior posts in Taliban interim cabinet"),
            L("West says it will judge Taliban government by its actions"),
            L("Taliban interim government takes office in Kabul"),
            L("Muttaqi says Taliban will honour commitments to the world"),
        ),
        leads=(
            L("The Taliban announced an interim government on Sept. 7, naming Mohammad Hasan Akhund as acting prime minister and Abdul Ghani Baradar as one of his deputies.", city="KABUL"),
            L("Western governments said on {weekday} they would judge the Taliban's interim government by its actions, after an all-male cabinet was announced in Kabul."),
            L("The Taliban's new acting foreign minister, Amir Khan Muttaqi, said on {weekday} that the Islamic Emirate wanted good relations with all countries and would honour its commitments.", city="KABUL"),
        ),
        quotes=(
            Q("Zabihullah Mujahid", "The cabinet is not complete; it is acting, and we will try to take people from other parts of the country"),
            Q("Amir Khan Muttaqi", "We want to have good relations with the whole world, and we will not allow anyone to use our soil against others"),
            Q("Antony Blinken", "The legitimacy and support that the Taliban seek will have to be earned"),
            Q("Josep Borrell", "This is not the inclusive and representative formation that we had hoped to see"),
            Q("Hasan Akhund", "The Islamic Emirate will work to rebuild the country and to serve all Afghans"),
            Q("Abdul Ghani Baradar", "Our priority is to restore security and to deliver services to the people"),
            Q("Sirajuddin Haqqani", "The security of the capital and of foreign missions is our responsibility"),
        ),
        background=(
            L("The cabinet includes several figures who served in the Taliban administration of the 1990s."),
            L("No women were named to the interim cabinet, and no ministry for women's affairs was included in the list."),
            L("Sirajuddin Haqqani, the acting interior minister, leads the Haqqani network, which the United States designates as a terrorist organisation."),
            L("The Taliban said the appointments were temporary and that the government would be expanded."),
        ),
        reports=(
            R("Ned Price", "Washington was concerned about the affiliations and track records of some of the people named"),
        ),
    ),
    Beat(
        "geneva_pledging", "the Geneva pledges", "aid_pledges", False, ((9, 8), (9, 24)), 3,
        ("GENEVA", "KABUL", "UNITED NATIONS"),
        headlines=(
            L("Donors pledge more than $1 billion for Afghanistan at Geneva conference", after=(9, 13)),
            L("Guterres urges world to stand with Afghans at Geneva aid meeting", after=(9, 13)),
            L("UN appeals for $606 million to avert Afghan humanitarian catastrophe"),
            L("Aid agencies say Geneva pledges must reach Afghans quickly", after=(9, 14)),
            L("Donors weigh how to help Afghans without aiding Taliban"),
        ),
        leads=(
            L("Donors pledged more than $1.1 billion in humanitarian aid for Afghanistan at a ministerial conference in Geneva on Sept. 13, as the United Nations warned of a looming collapse of basic services.", after=(9, 13)),
            L("UN Secretary-General Antonio Guterres appealed to governments on {weekday} to fund an emergency plan for Afghanistan, saying the country faced perhaps its most perilous hour.", city="GENEVA"),
            L("Aid agencies said on {weekday} that money pledged at the Geneva conference on Afghanistan must be delivered quickly to prevent a collapse of health and food services.", after=(9, 14)),
        ),
        quotes=(
            Q("Antonio Guterres", "The people of Afghanistan need a lifeline"),
            Q("Antonio Guterres", "After decades of war, suffering and insecurity, they face perhaps their most perilous hour"),
            Q("Martin Griffiths", "The people of Afghanistan are facing the collapse of an entire country"),
            Q("David Beasley", "Afghanistan is facing a perfect storm of conflict, drought and economic collapse"),
            Q("Amir Khan Muttaqi", "We thank the countries that have promised assistance and we will cooperate with aid agencies", after=(9, 14)),
            Q("UNICEF", "Children are paying the heaviest price for this crisis"),
            Q("OCHA", "Humanitarian workers need safe and unimpeded access to all parts of the country"),
        ),
        background=(
            L("The flash appeal launched by the United Nations seeks $606 million to help 11 million people until the end of the year."),
            L("Half of Afghanistan's population was already dependent on humanitarian aid before the Taliban took power."),
            L("The meeting in Geneva brought together ministers and officials from dozens of countries."),
            L("Health clinics that relied on World Bank funding have struggled to pay their staff since international assistance was suspended."),
        ),
        reports=(
            R("Martin Griffiths", "the Taliban had given assurances that aid workers would be able to operate safely"),
        ),
    ),
    Beat(
        "girls_education", "girls' schools", "girls_education", False, ((9, 17), (12, 31)), 5,
        ("KABUL", "UNITED NATIONS", "DOHA", "HERAT"),
        headlines=(
            L("Afghan girls kept out of secondary schools as boys return", before=(10, 15)),
            L("UN urges Taliban to reopen secondary schools for girls"),
            L("Taliban say girls will return to school once 'safe environment' is in place"),
            L("Afghan teachers and students wait for decision on girls' education"),
            L("Some northern provinces reopen girls' schools as capital waits", after=(10, 5)),
            L("Girls' education emerges as test of Taliban engagement"),
            L("Afghan girls study at home as secondary schools stay shut"),
            L("UNICEF calls for all Afghan girls to be back in class"),
            L("Taliban officials promise plan on girls' secondary schooling"),
        ),
        leads=(
            L("Secondary schools in Afghanistan reopened for boys on Sept. 18, but girls in grades seven to twelve were told to stay at home until further notice.", after=(9, 18), before=(10, 20), city="KABUL"),
            L("The United Nations urged the Taliban on {weekday} to allow girls to return to secondary schools, saying the future of a generation was at stake."),
            L("Taliban officials said on {weekday} they were preparing a plan to reopen secondary schools for girls, but gave no date.", city="KABUL"),
            L("In several northern provinces, girls' secondary schools have reopened with the permission of local officials, residents said on {weekday}, while most schools elsewhere remain closed to them.", after=(10, 5), city="KABUL"),
        ),
        quotes=(
            Q("Amir Khan Muttaqi", "We are not against the education of women; girls are going to school up to grade six and universities will follow"),
            Q("Zabihullah Mujahid", "We are working on a mechanism so that girls can return to school in a safe environment"),
            Q("Antonio Guterres", "I am particularly alarmed by reports that girls are being denied their right to education"),
            Q("Henrietta Fore", "Girls cannot and must not be left behind"),
            Q("Deborah Lyons", "Education for girls and boys is a fundamental right and essential for the country's future"),
            Q("Josep Borrell", "Access to education for girls and women is a key benchmark for our engagement"),
            Q("Ned Price", "The international community will be watching closely how the Taliban treat women and girls"),
        ),
        background=(
            L("Primary schools have reopened for both boys and girls, and some private universities have resumed classes with separate sessions for women."),
            L("Women have largely been kept from returning to work in government offices, except in sectors such as health and education."),
            L("During the Taliban's previous rule, from 1996 to 2001, girls were banned from schools."),
            L("Many teachers have not been paid for months because of the country's cash shortage."),
        ),
        reports=(
            R("Zabihullah Mujahid", "the education ministry was preparing arrangements for separate classes"),
            R("UNICEF", "millions of girls were missing out on secondary education"),
        ),
    ),
    Beat(
        "un_seat", "the UN seat", "un_seat", True, ((9, 21), (12, 20)), 4,
        ("UNITED NATIONS", "KABUL", "DOHA"),
        headlines=(
            L("Taliban ask to address UN General Assembly, name Suhail Shaheen as envoy", before=(10, 15)),
            L("UN credentials committee defers decision on Afghanistan's seat", after=(12, 1)),
            L("Who represents Afghanistan at the UN? Rival claims go to credentials committee"),
            L("Taliban's UN envoy nominee says group deserves seat"),
            L("Taliban push for UN recognition"),
            L("UN decision on Afghan seat expected to be delayed", before=(11, 30)),
            L("Former government's envoy keeps Afghan seat at UN for now", after=(12, 1)),
        ),
        leads=(
            L("The Taliban have asked to speak at the UN General Assembly and nominated their Doha-based spokesman Suhail Shaheen as Afghanistan's ambassador to the United Nations, setting up a contest with the envoy of the ousted government.", before=(10, 20)),
            L("A UN committee that rules on diplomatic credentials deferred a decision on {weekday} on who should represent Afghanistan at the world body, leaving the former government's envoy in place for now.", after=(12, 1), city="UNITED NATIONS"),
            L("Diplomats at the United Nations said on {weekday} that the credentials committee was unlikely to act quickly on the Taliban's request for Afghanistan's seat.", before=(11, 30)),
        ),
        quotes=(
            Q("Suhail Shaheen", "We have all the requirements for recognition, and we hope the United Nations will hand the seat to the Islamic Emirate"),
            Q("Zabihullah Mujahid", "Recognition is the right of the Afghan people"),
            Q("Antonio Guterres", "Recognition is a matter for member states, but the United Nations will continue to engage with the de facto authorities"),
            Q("Ned Price", "No one should rush to recognise the Taliban"),
            Q("Amir Khan Muttaqi", "The Islamic Emirate controls the whole country and should be able to speak for it"),
        ),
        background=(
            L("The credentials committee is made up of nine member states, including the United States, China and Russia."),
            L("Ghulam Isaczai, appointed by the former government of Ashraf Ghani, remains Afghanistan's ambassador to the United Nations."),
            L("Myanmar's seat at the United Nations is also contested, between the military government and the ousted civilian administration."),
            L("Recognition of the Taliban administration would open the way to international financing that has been frozen since August."),
        ),
        reports=(
            R("Suhail Shaheen", "the Islamic Emirate had the support of the people and controlled the whole country"),
        ),
    ),
    Beat(
        "doha_talks", "the Doha talks", "doha_talks", True, ((10, 10), (10, 22)), 4,
        ("DOHA", "WASHINGTON", "KABUL", "BRUSSELS"),
        headlines=(
            L("US and Taliban hold first face-to-face talks since withdrawal"),
            L("Taliban seek release of frozen funds at Doha talks with US"),
            L("EU and US envoys meet Taliban delegation in Doha", after=(10, 12)),
            L("US says Doha talks with Taliban were 'candid and professional'", after=(10, 10)),
            L("Taliban foreign minister leads delegation to Doha talks"),
            L("Humanitarian aid tops agenda at Doha meetings"),
            L("Qatar hosts Western envoys and Taliban for talks"),
        ),
        leads=(
            L("US officials and a Taliban delegation led by acting Foreign Minister Amir Khan Muttaqi met in Doha over the weekend in the first in-person talks between the two sides since the withdrawal of American troops.", after=(10, 10)),
            L("The Taliban said on {weekday} that talks with the United States in Doha had gone well and that Washington had agreed to provide humanitarian aid to Afghanistan.", after=(10, 10)),
            L("European and American envoys met members of the Taliban's interim government in Doha on {weekday} to discuss humanitarian access, safe passage and counter-terrorism commitments.", after=(10, 12)),
        ),
        quotes=(
            Q("Ned Price", "The discussions were candid and professional"),
            Q("Ned Price", "We will judge the Taliban on their actions, not only on their words"),
            Q("Amir Khan Muttaqi", "We asked the United States to lift the ban on the reserves of Afghanistan's central bank"),
            Q("Suhail Shaheen", "The talks were about humanitarian assistance and the implementation of the Doha agreement"),
            Q("Nabila Massrali", "This is an exchange at technical level and it does not amount to recognition"),
            Q("Mohammed bin Abdulrahman Al Thani", "Engagement is the only way to avoid a humanitarian catastrophe"),
            Q("Josep Borrell", "We have to engage with the Taliban in order to help the Afghan people"),
        ),
        background=(
            L("The United States said it would not recognise the Taliban government as part of the talks."),
            L("The Doha talks were hosted by Qatar, which also hosted the negotiations that led to the 2020 agreement on the withdrawal of US troops."),
            L("The Taliban delegation included officials responsible for finance, health and refugees."),
            L("Washington has said it will continue to help American citizens and Afghans who worked for the United States leave the country."),
        ),
        reports=(
            R("Ned Price", "the US side focused on security and terrorism concerns, safe passage and the rights of women and girls"),
            R("Suhail Shaheen", "the Taliban had asked Washington to lift sanctions and release the central bank's reserves"),
        ),
    ),
    Beat(
        "khalilzad_west", "US diplomacy", "doha_talks", True, ((10, 18), (11, 30)), 2,
        ("WASHINGTON", "DOHA", "KABUL"),
        headlines=(
            L("Khalilzad steps down as US special envoy for Afghanistan", before=(10, 25)),
            L("Thomas West named US special representative for Afghanistan", before=(10, 31)),
            L("New US envoy West meets Taliban delegation in Doha", after=(11, 29)),
            L("US envoy West says engagement with Taliban will continue"),
        ),
        leads=(
            L("Zalmay Khalilzad, the US diplomat who negotiated the 2020 agreement with the Taliban, has stepped down as special envoy for Afghanistan, the State Department said on Oct. 18.", before=(10, 25), city="WASHINGTON"),
            L("Thomas West, who served as Zalmay Khalilzad's deputy, will take over as the US special representative for Afghanistan, Secretary of State Antony Blinken said.", before=(10, 31), city="WASHINGTON"),
            L("The US special representative for Afghanistan, Thomas West, said on {weekday} that Washington would keep up its contacts with the Taliban on security, aid and safe passage."),
            L("US and Taliban officials met again in Doha on {weekday} for talks on humanitarian aid, the economy and the departure of Afghans who want to leave.", after=(11, 29)),
        ),
        quotes=(
            Q("Antony Blinken", "I am grateful to Ambassador Khalilzad for his decades of service", before=(10, 25)),
            Q("Zalmay Khalilzad", "The political arrangement between the Afghan government and the Taliban did not go forward as envisaged", before=(10, 25)),
            Q("Thomas West", "We will continue to engage pragmatically with the Taliban on our core interests"),
            Q("Ned Price", "Engagement with the Taliban will continue on the basis of our national interests"),
            Q("Amir Khan Muttaqi", "We want the new American envoy to open a new chapter in relations", after=(10, 20)),
        ),
        background=(
            L("Khalilzad led the talks that produced the February 2020 Doha agreement, under which the United States committed to withdrawing its forces."),
            L("West had served as Khalilzad's deputy and took part in the talks with the Taliban in Doha earlier in October."),
            L("The State Department has said that the United States does not recognise the Taliban as Afghanistan's government."),
        ),
        reports=(
            R("Ned Price", "West would lead US diplomacy on Afghanistan, including coordination with allies and partners"),
        ),
    ),
    Beat(
        "moscow_format", "the Moscow talks", "moscow_format", True, ((10, 15), (10, 28)), 4,
        ("MOSCOW", "KABUL", "ISLAMABAD"),
        headlines=(
            L("Russia hosts Taliban delegation for Moscow format talks"),
            L("Moscow format participants call for UN donor conference on Afghanistan", after=(10, 20)),
            L("Lavrov urges inclusive government as Taliban attend Moscow talks", after=(10, 20)),
            L("Regional powers meet Taliban in Moscow", after=(10, 20)),
            L("Russia urges Taliban to include other groups in government"),
            L("Kabulov says recognition of Taliban not yet on agenda"),
        ),
        leads=(
            L("Russia hosted talks on Afghanistan on Oct. 20 attended by a Taliban delegation and officials from China, Pakistan, Iran, India and the Central Asian states, in what Moscow calls the Moscow format.", after=(10, 20)),
            L("Participants in the Moscow format talks called on {weekday} for a United Nations donor conference to help Afghanistan rebuild, saying the main burden should fall on the countries whose troops had been in Afghanistan for 20 years.", after=(10, 20)),
            L("Russian Foreign Minister Sergei Lavrov told the Taliban delegation in Moscow on {weekday} that an inclusive government was needed to achieve lasting peace.", after=(10, 20)),
            L("Russia said on {weekday} it had invited a Taliban delegation to talks in Moscow on Oct. 20, along with officials from China, Pakistan, Iran and India.", before=(10, 19)),
        ),
        quotes=(
            Q("Sergei Lavrov", "Forming a truly inclusive government that reflects the interests of all ethnic and political groups is essential"),
            Q("Zamir Kabulov", "Recognition is not on the agenda yet, but we are working with the new authorities"),
            Q("Abdul Salam Hanafi", "Isolating Afghanistan is in no one's interest", after=(10, 20)),
            Q("Zabihullah Mujahid", "The meeting in Moscow was useful for the whole region", after=(10, 20)),
            Q("Shah Mahmood Qureshi", "Pakistan supports a coordinated regional approach to Afghanistan"),
        ),
        background=(
            L("The United States did not attend the Moscow meeting, citing logistical difficulties."),
            L("Russia has designated the Taliban a terrorist organisation but has held regular contacts with the group."),
            L("The Taliban delegation was led by Deputy Prime Minister Abdul Salam Hanafi."),
            L("Moscow has said it is concerned about the risk of militants and narcotics crossing from Afghanistan into Central Asia."),
        ),
        reports=(
            R("Zamir Kabulov", "Russia would send humanitarian aid to Afghanistan in the coming weeks"),
        ),
    ),
    Beat(
        "g20_summit", "the G20 meeting", "aid_pledges", True, ((10, 10), (10, 18)), 2,
        ("ROME", "BRUSSELS", "KABUL"),
        headlines=(
            L("G20 leaders pledge to avert humanitarian collapse in Afghanistan", after=(10, 12)),
            L("EU announces 1 billion euro Afghan support package at G20 meeting", after=(10, 12)),
            L("Italy convenes G20 leaders on Afghanistan crisis"),
        ),
        leads=(
            L("Leaders of the Group of 20 major economies agreed at a virtual meeting on Oct. 12 to work to prevent a humanitarian catastrophe in Afghanistan, including through the United Nations.", after=(10, 12), city="ROME"),
            L("The European Union announced a support package worth around 1 billion euros for Afghanistan and its neighbours on {weekday}, saying the aid would go to Afghans and not to the Taliban.", after=(10, 12), city="BRUSSELS"),
            L("Italy said on {weekday} it would host a virtual meeting of G20 leaders on Afghanistan, as donors looked for ways to help Afghans without supporting the Taliban.", before=(10, 11), city="ROME"),
        ),
        quotes=(
            Q("Mario Draghi", "It is hard to see how we can help the Afghan people without involving the Taliban"),
            Q("Ursula von der Leyen", "We must do all we can to avert a major humanitarian and socio-economic collapse in Afghanistan"),
            Q("Antonio Guterres", "We must find ways to inject liquidity into the Afghan economy"),
            Q("Josep Borrell", "We cannot afford a humanitarian crisis that would hit the population and the whole region"),
        ),
        background=(
            L("The meeting was convened by Italy, which held the G20 presidency in 2021."),
            L("Several leaders did not take part in person and were represented by senior officials."),
            L("The European Union said its aid would be channelled through international organisations working on the ground."),
        ),
        reports=(
            R("Ursula von der Leyen", "part of the money would go to Afghanistan's neighbours, which are hosting refugees"),
        ),
    ),
    Beat(
        "mosque_attacks", "the mosque attacks", "iskp_attacks", False, ((10, 8), (11, 15)), 4,
        ("KUNDUZ", "KANDAHAR", "KABUL"),
        headlines=(
            L("Suicide bombing at Shi'ite mosque in Kunduz kills dozens", before=(10, 14)),
            L("Islamic State claims Kandahar mosque attack during Friday prayers", after=(10, 15), before=(10, 30)),
            L("Taliban vow to protect Shi'ite mosques after deadly bombings", after=(10, 15)),
            L("UN condemns attacks on worshippers in Kunduz and Kandahar", after=(10, 15)),
            L("Gunmen attack military hospital in Kabul", after=(11, 2)),
            L("ISKP attacks test Taliban's promise of security"),
            L("Shi'ite leaders in Afghanistan call for better protection", after=(10, 9)),
            L("Islamic State Khorasan steps up attacks in Afghanistan", after=(10, 9)),
            L("Funerals held for victims of mosque bombing", after=(10, 9)),
        ),
        leads=(
            L("A suicide bomber attacked a Shi'ite mosque in the northern city of Kunduz during Friday prayers on Oct. 8, killing dozens of worshippers in an attack claimed by the Islamic State's regional affiliate.", before=(10, 14)),
            L("Explosions tore through a Shi'ite mosque in the southern city of Kandahar during Friday prayers on Oct. 15, a week after a similar attack in Kunduz, officials said.", after=(10, 15), before=(10, 31)),
            L("The Taliban promised on {weekday} to increase security at mosques used by Afghanistan's Shi'ite minority after a series of bombings claimed by Islamic State Khorasan (ISKP).", after=(10, 9), city="KABUL"),
            L("Gunmen and suicide bombers attacked Afghanistan's largest military hospital in Kabul on Nov. 2, killing at least 19 people in an assault claimed by Islamic State Khorasan.", after=(11, 2)),
        ),
        quotes=(
            Q("Zabihullah Mujahid", "Our security forces will take all measures to protect places of worship"),
            Q("Deborah Lyons", "These attacks on worshippers are part of a disturbing pattern of violence"),
            Q("UNAMA", "Those responsible for this attack must be brought to justice"),
            Q("Antonio Guterres", "Attacks on places of worship are abhorrent and must stop"),
            Q("ICRC", "Our teams are supporting hospitals that have received large numbers of casualties"),
            Q("Sirajuddin Haqqani", "We will not allow anyone to threaten the security of Afghans"),
        ),
        background=(
            L("ISKP has repeatedly targeted Afghanistan's Shi'ite Hazara community."),
            L("The Taliban have said ISKP does not pose a serious threat, while Western officials warn that the group could grow."),
            L("Residents said the Taliban had deployed additional guards around mosques in several cities."),
            L("The attacks have raised questions in Western capitals about the Taliban's ability to prevent Afghanistan from becoming a base for militant groups."),
        ),
        reports=(
            R("Zabihullah Mujahid", "a delegation had been sent to investigate the attack"),
            R("UNAMA", "the attacks had killed and wounded many civilians, including children"),
        ),
    ),
    Beat(
        "islamabad_troika", "the troika talks", "islamabad_troika", True, ((11, 8), (11, 20)), 4,
        ("ISLAMABAD", "KABUL", "WASHINGTON"),
        headlines=(
            L("US, China, Russia and Pakistan meet in Islamabad on Afghanistan", after=(11, 11)),
            L("Troika plus urges Taliban to form inclusive government", after=(11, 11)),
            L("Muttaqi visits Islamabad for talks on trade and aid", after=(11, 10)),
            L("Pakistan to host troika plus meeting on Afghanistan", before=(11, 10)),
            L("Regional envoys press Taliban on human rights and inclusion", after=(11, 11)),
            L("Pakistan calls for engagement with Taliban at troika plus talks", after=(11, 11)),
        ),
        leads=(
            L("Envoys from the United States, China, Russia and Pakistan met in Islamabad on Nov. 11 for talks on Afghanistan, a format known as the troika plus.", after=(11, 11)),
            L("Taliban acting Foreign Minister Amir Khan Muttaqi arrived in Islamabad on {weekday} for talks with Pakistani officials on trade, transit and humanitarian aid.", after=(11, 10), before=(11, 13)),
            L("The troika plus group called on the Taliban on {weekday} to form an inclusive government and to take steps to meet international expectations on human rights.", after=(11, 11), city="ISLAMABAD"),
            L("Pakistan said on {weekday} it would host envoys from the United States, China and Russia for talks on Afghanistan later this week.", before=(11, 10), city="ISLAMABAD"),
        ),
        quotes=(
            Q("Shah Mahmood Qureshi", "Engagement, not isolation, is the right approach to Afghanistan"),
            Q("Imran Khan", "The world must act now to prevent a humanitarian crisis in Afghanistan"),
            Q("Thomas West", "We had useful discussions with our partners on how to support the Afghan people", after=(11, 11)),
            Q("Zamir Kabulov", "The troika plus format remains an important channel for coordination"),
            Q("Amir Khan Muttaqi", "We want trade and transit with Pakistan to expand", after=(11, 10)),
        ),
        background=(
            L("The troika plus met in Doha in August, before the Taliban took power in Kabul."),
            L("Pakistan has called on the international community to release Afghanistan's frozen assets."),
            L("China's special envoy for Afghanistan, Yue Xiaoyong, represented Beijing at the meeting."),
        ),
        reports=(
            R("Shah Mahmood Qureshi", "the participants had agreed to keep up practical engagement with the Taliban"),
        ),
    ),
    Beat(
        "oic_session", "the OIC session", "oic_session", True, ((12, 8), (12, 31)), 4,
        ("ISLAMABAD", "JEDDAH", "KABUL"),
        headlines=(
            L("OIC ministers meet in Islamabad on Afghan humanitarian crisis", after=(12, 19), before=(12, 21)),
            L("OIC agrees to set up humanitarian trust fund for Afghanistan", after=(12, 19)),
            L("Imran Khan warns of 'man-made' crisis in Afghanistan at OIC session", after=(12, 19)),
            L("Pakistan to host OIC extraordinary session on Afghanistan", before=(12, 18)),
            L("Islamabad hosts largest Afghan conference since August", after=(12, 19)),
            L("Muslim nations pledge help for Afghans at OIC meeting", after=(12, 19)),
            L("OIC ministers to discuss Afghan crisis in Islamabad", before=(12, 18)),
            L("Qureshi calls on world not to abandon Afghanistan"),
        ),
        leads=(
            L("Foreign ministers of the Organisation of Islamic Cooperation (OIC) met in Islamabad on Dec. 19 for an extraordinary session on Afghanistan, the largest conference on the country since the Taliban took power.", after=(12, 19)),
            L("OIC member states agreed on {weekday} to create a humanitarian trust fund for Afghanistan under the Islamic Development Bank.", after=(12, 19), before=(12, 21), city="ISLAMABAD"),
            L("Pakistan said on {weekday} that it would host an extraordinary session of the OIC Council of Foreign Ministers on Dec. 19 to discuss the humanitarian situation in Afghanistan.", before=(12, 18), city="ISLAMABAD"),
        ),
        quotes=(
            Q("Imran Khan", "No country will be affected more than Afghanistan if the world does not act"),
            Q("Shah Mahmood Qureshi", "We cannot abandon the people of Afghanistan at this critical moment"),
            Q("Amir Khan Muttaqi", "The Islamic Emirate has restored security and it is time for the world to help the Afghan economy", after=(12, 19)),
            Q("Thomas West", "We welcome the commitment of OIC members to the Afghan people", after=(12, 19)),
            Q("Martin Griffiths", "The economic situation is a real threat to the lives of millions of Afghans"),
        ),
        background=(
            L("Delegations from the United States, China, Russia, the European Union and the United Nations attended the session in Islamabad."),
            L("The session was the first major international conference on Afghanistan hosted by Pakistan since August."),
            L("The OIC resolution did not address the question of recognising the Taliban government.", after=(12, 19)),
        ),
        reports=(
            R("Shah Mahmood Qureshi", "the trust fund would channel aid through the Islamic Development Bank", after=(12, 19)),
        ),
    ),
    Beat(
        "frozen_reserves", "frozen reserves", "frozen_reserves", False, ((8, 18), (12, 31)), 7,
        ("KABUL", "WASHINGTON", "UNITED NATIONS"),
        headlines=(
            L("Taliban call on US to release Afghan central bank reserves"),
            L("IMF blocks Afghan access to reserves as Taliban take power", before=(9, 15)),
            L("World Bank donors agree to transfer $280 million for Afghan aid", after=(12, 10)),
            L("Afghan banks limit withdrawals as cash shortage deepens"),
            L("UN Security Council adopts resolution to ease aid to Afghanistan", after=(12, 22)),
            L("Frozen reserves leave Afghan economy short of dollars"),
            L("Cash crunch hits Afghan civil servants and businesses"),
            L("Afghani slides against dollar as reserves stay frozen"),
            L("Taliban press Washington over $9.5 billion in central bank assets", after=(9, 10)),
            L("Donors look for ways to pay Afghan health workers without aiding Taliban"),
            L("Afghan central bank reserves remain out of reach"),
        ),
        leads=(
            L("The Taliban's acting foreign minister, Amir Khan Muttaqi, on {weekday} urged the United States to release about $9.5 billion in reserves belonging to Da Afghanistan Bank, the country's central bank.", after=(9, 10), city="KABUL"),
            L("The International Monetary Fund said Afghanistan would not be able to access its resources, including newly allocated special drawing rights, because of a lack of clarity over the recognition of a government.", before=(9, 30), city="WASHINGTON"),
            L("Donors to a World Bank-administered trust fund agreed on Dec. 10 to transfer $280 million to the World Food Programme and UNICEF to support food and health services in Afghanistan.", after=(12, 10), city="WASHINGTON"),
            L("Afghan banks kept strict limits on weekly cash withdrawals on {weekday}, as the freeze on the central bank's assets abroad continued to drain the economy of dollars.", city="KABUL"),
            L("The UN Security Council adopted a resolution on Dec. 22 allowing humanitarian aid to reach Afghans without violating sanctions.", after=(12, 22), city="UNITED NATIONS"),
        ),
        quotes=(
            Q("Amir Khan Muttaqi", "The freezing of Afghanistan's assets does not serve anyone's interest", after=(9, 10)),
            Q("Zabihullah Mujahid", "The money belongs to the Afghan nation, not to any government"),
            Q("Ned Price", "We continue to look for ways to support the Afghan people without benefiting the Taliban"),
            Q("Kristalina Georgieva", "Afghanistan's economy is in a very difficult situation"),
            Q("Deborah Lyons", "The economy must be allowed to breathe for a few more months", after=(11, 1)),
            Q("World Bank", "The transfer will help provide food and essential health services to millions of Afghans", after=(12, 10)),
            Q("Martin Griffiths", "Without cash in the economy, aid alone cannot hold the country together"),
        ),
        background=(
            L("Most of Da Afghanistan Bank's roughly $9.5 billion in reserves are held outside the country, much of it in the United States."),
            L("The IMF suspended Afghanistan's access to its resources in August, and the World Bank paused disbursements for projects in the country."),
            L("Afghanistan's currency, the afghani, has fallen sharply against the dollar since August."),
            L("Civil servants in many ministries have gone months without salaries."),
            L("The Afghanistan Reconstruction Trust Fund, administered by the World Bank, holds money pledged by international donors."),
        ),
        reports=(
            R("Zabihullah Mujahid", "the Islamic Emirate would make sure that the funds were used for the needs of the people"),
            R("World Bank", "the bank was working with the United Nations on ways to support Afghans directly"),
        ),
    ),
    Beat(
        "drought_hunger", "the hunger crisis", "humanitarian", False, ((9, 1), (12, 31)), 8,
        ("KABUL", "HERAT", "GENEVA", "ROME"),
        headlines=(
            L("More than half of Afghans face acute hunger this winter, UN agencies warn", after=(10, 25)),
            L("Drought and economic collapse push Afghans to the brink, WFP says"),
            L("Aid agencies race to deliver food before Afghan winter", after=(10, 1)),
            L("Malnourished children fill Afghan hospital wards, UNICEF says"),
            L("Afghan families sell belongings to buy food as drought bites"),
            L("WFP scales up food deliveries across Afghanistan"),
            L("Winter threatens millions of hungry Afghans, aid groups say", after=(10, 1)),
            L("Afghan wheat harvest hit by second drought in four years"),
            L("Hunger spreads in Afghan cities as incomes collapse"),
            L("UN agencies appeal for funds to feed Afghans through winter", after=(10, 15)),
            L("Aid groups warn of child malnutrition crisis in Afghanistan"),
        ),
        leads=(
            L("A record 22.8 million people in Afghanistan, more than half the population, will face acute food insecurity this winter, the World Food Programme and the Food and Agriculture Organization said on Oct. 25.", after=(10, 25), city="ROME"),
            L("The World Food Programme said on {weekday} it was scaling up deliveries across Afghanistan as drought, displacement and an economic crisis left millions without enough to eat.", city="KABUL"),
            L("Families in western Afghanistan are selling their belongings to buy food as the country's worst drought in decades combines with a collapse in incomes, aid workers said on {weekday}.", city="HERAT"),
            L("UNICEF warned on {weekday} that one million Afghan children under five could die of severe acute malnutrition without immediate treatment.", after=(9, 10), city="KABUL"),
        ),
        quotes=(
            Q("David Beasley", "Afghanistan is now among the world's worst humanitarian crises", after=(10, 25)),
            Q("David Beasley", "Children are going to die; people are going to starve"),
            Q("Henrietta Fore", "Children are paying the highest price for this crisis"),
            Q("Martin Griffiths", "Winter is coming and people need shelter, food and fuel", after=(10, 1)),
            Q("ICRC", "Health facilities across the country are running out of medicines and of money to pay staff"),
            Q("OCHA", "The humanitarian response must be scaled up urgently"),
            Q("Zabihullah Mujahid", "The Islamic Emirate is working with aid organisations to help people affected by the drought"),
            Q("WFP", "We are in a race against time to reach families before the snow cuts off roads", after=(10, 15)),
        ),
        background=(
            L("Afghanistan is suffering its second drought in four years, which has damaged wheat harvests across much of the country."),
            L("Prices of flour, cooking oil and fuel have risen sharply since August, while many people have lost their jobs."),
            L("Aid agencies have warned that the onset of winter will make it harder to reach remote communities."),
            L("The Integrated Food Security Phase Classification (IPC) is used by UN agencies and aid groups to measure hunger."),
            L("Hospitals in provincial cities report rising numbers of children admitted with severe malnutrition."),
        ),
        reports=(
            R("WFP", "the agency needed about $220 million a month to feed the people most at risk", after=(11, 1)),
            R("OCHA", "aid workers had reached millions of people with food assistance since September"),
        ),
    ),
    Beat(
        "refugees", "Afghan refugees", "refugees", False, ((8, 20), (12, 31)), 5,
        ("ISLAMABAD", "TEHRAN", "TORKHAM", "GENEVA", "BRUSSELS"),
        headlines=(
            L("UNHCR urges Afghanistan's neighbours to keep borders open"),
            L("Afghans queue at Torkham crossing as Pakistan tightens border"),
            L("EU ministers discuss resettlement of Afghans at risk"),
            L("Grandi visits Kabul, calls for more support for displaced Afghans", after=(9, 13), before=(9, 25)),
            L("Pakistan says it cannot absorb new wave of Afghan refugees"),
            L("Displaced Afghans face winter in makeshift camps", after=(10, 15)),
            L("Iran and Pakistan tighten border controls as Afghans seek to leave"),
            L("UN refugee agency warns of growing displacement inside Afghanistan"),
        ),
        leads=(
            L("The UN refugee agency called on countries neighbouring Afghanistan on {weekday} to keep their borders open to people fleeing the country.", city="GENEVA"),
            L("Hundreds of Afghans gathered at the Torkham border crossing with Pakistan on {weekday}, hoping to cross as Pakistani authorities limited entry to people with valid documents."),
            L("European Union interior ministers discussed on {weekday} how many Afghans at risk member states could resettle, amid concern over a repeat of the 2015 migration crisis.", city="BRUSSELS"),
            L("Filippo Grandi, the UN High Commissioner for Refugees, visited Kabul on {weekday} and called for international support for the millions of Afghans displaced inside their own country.", after=(9, 13), before=(9, 16), city="KABUL"),
        ),
        quotes=(
            Q("Filippo Grandi", "The humanitarian situation inside Afghanistan is desperate"),
            Q("UNHCR", "Borders should remain open for people seeking safety"),
            Q("Imran Khan", "Pakistan cannot take in more refugees"),
            Q("Shah Mahmood Qureshi", "Pakistan has hosted millions of Afghan refugees for four decades"),
            Q("Josep Borrell", "We must support the countries in the region that host Afghan refugees"),
            Q("Zabihullah Mujahid", "The country needs its people, and Afghans should not be encouraged to leave"),
        ),
        background=(
            L("Pakistan and Iran host about 2.2 million registered Afghan refugees between them, according to UNHCR."),
            L("About 3.5 million people are displaced within Afghanistan by conflict, many of them in the past year."),
            L("The European Union has said it wants to avoid a repeat of the large-scale irregular migration of 2015."),
            L("Several Western countries have pledged to resettle Afghans who worked with their forces or are considered at risk, but progress has been slow."),
        ),
        reports=(
            R("UNHCR", "the agency had not yet seen large numbers of Afghans crossing the borders since August"),
        ),
    ),
    Beat(
        "narcotics", "opium", "narcotics", False, ((8, 18), (12, 31)), 4,
        ("KABUL", "KANDAHAR", "VIENNA"),
        headlines=(
            L("Taliban pledge to end opium production in Afghanistan"),
            L("Opium prices rise as Afghan farmers face uncertain future"),
            L("UN report says Afghan opium output remains high", after=(11, 1)),
            L("Afghan farmers turn to poppy as economy collapses"),
            L("Taliban promise crackdown on drugs as farmers fear losses"),
            L("Poppy planting season tests Taliban pledge", after=(10, 15)),
            L("Drug trade seen growing as Afghan economy contracts"),
        ),
        leads=(
            L("The Taliban have pledged that Afghanistan will not be a source of narcotics, but farmers in the south say they see few alternatives to growing opium poppy.", city="KANDAHAR"),
            L("Opium prices in southern Afghanistan have risen sharply since the Taliban took power, traders and farmers said on {weekday}.", city="KANDAHAR"),
            L("The UN Office on Drugs and Crime (UNODC) said on {weekday} that opium production in Afghanistan remained high, with cultivation spreading in several provinces.", after=(11, 1), city="VIENNA"),
        ),
        quotes=(
            Q("Zabihullah Mujahid", "Afghanistan will not be a country of cultivation of opium anymore"),
            Q("Zabihullah Mujahid", "We call on the international community to help farmers find alternative crops"),
            Q("Zamir Kabulov", "Drug trafficking from Afghanistan is a threat to the whole region"),
            Q("UNODC", "The illicit drug economy is likely to grow as the formal economy contracts"),
            Q("Sergei Lavrov", "The terrorism and drug threats coming from Afghanistan must be addressed together"),
        ),
        background=(
            L("Afghanistan produces most of the world's illicit opium, according to UN estimates."),
            L("Methamphetamine production using the ephedra plant has also grown in recent years, the United Nations has said."),
            L("Farmers say poppy earns them far more than wheat, especially during drought."),
            L("During their previous rule, the Taliban banned poppy cultivation in 2000, before the harvest rebounded after 2001."),
        ),
        reports=(
            R("Zabihullah Mujahid", "the new government would work with the international community on alternative livelihoods"),
        ),
    ),
    Beat(
        "pakistan_ttp", "the TTP", "pakistan_ttp", True, ((10, 1), (12, 31)), 4,
        ("ISLAMABAD", "PESHAWAR", "KABUL"),
        headlines=(
            L("Pakistan and TTP agree month-long ceasefire", after=(11, 8), before=(12, 8)),
            L("Pakistani Taliban end ceasefire with Islamabad", after=(12, 10)),
            L("Pakistan says talks with TTP held in Afghanistan", before=(11, 30)),
            L("Islamabad presses Kabul over militants on Afghan soil"),
            L("Pakistan and Afghan Taliban discuss border security"),
            L("Imran Khan defends talks with militant factions"),
            L("Militant attacks in Pakistan's northwest raise pressure on Islamabad"),
        ),
        leads=(
            L("Pakistan's government and the banned Tehreek-e-Taliban Pakistan (TTP) agreed a month-long ceasefire, Pakistani officials said on {weekday}, in talks facilitated by the Afghan Taliban.", after=(11, 8), before=(12, 8), city="ISLAMABAD"),
            L("The Tehreek-e-Taliban Pakistan (TTP) said on {weekday} it would not extend its ceasefire with the Pakistani government, accusing Islamabad of failing to meet its commitments.", after=(12, 10)),
            L("Pakistani officials said on {weekday} they were holding talks with some factions of the Tehreek-e-Taliban Pakistan (TTP), with the Afghan Taliban acting as intermediaries.", before=(11, 7), city="ISLAMABAD"),
            L("Pakistan urged the Taliban administration in Kabul on {weekday} to prevent militant groups from using Afghan territory to attack Pakistan."),
        ),
        quotes=(
            Q("Imran Khan", "We are in talks with some of the groups because we believe in a political solution"),
            Q("Shah Mahmood Qureshi", "Afghan soil must not be used against any neighbour"),
            Q("Zabihullah Mujahid", "The Islamic Emirate will not allow anyone to use Afghan soil against Pakistan or any other country"),
            Q("Amir Khan Muttaqi", "We want good neighbourly relations with Pakistan"),
        ),
        background=(
            L("The TTP, an umbrella group of militant factions, is separate from the Afghan Taliban but shares close ties with it."),
            L("Pakistan says TTP fighters have used Afghan territory to plan attacks inside Pakistan."),
            L("The Pakistani Taliban have carried out attacks that killed thousands of people since the group was formed in 2007."),
        ),
        reports=(
            R("Zabihullah Mujahid", "the Islamic Emirate had helped bring the two sides together", after=(11, 8)),
        ),
    ),
    Beat(
        "free_passage", "safe passage", "evacuation", True, ((9, 5), (12, 31)), 4,
        ("KABUL", "DOHA", "WASHINGTON", "ANKARA"),
        headlines=(
            L("First large international flight leaves Kabul since US withdrawal", after=(9, 9), before=(9, 20)),
            L("Qatar and Turkey in talks to run Kabul airport"),
            L("US says Taliban are allowing Americans and Afghans with papers to leave"),
            L("Charter flights carry more Afghans at risk out of Kabul", after=(9, 20)),
            L("Taliban say Afghans with documents are free to travel"),
            L("Kabul airport reopens to limited international flights"),
            L("Afghans who worked for Western forces still waiting to leave"),
        ),
        leads=(
            L("A Qatar Airways flight carrying foreign nationals and Afghans with travel documents left Kabul on Sept. 9, the first large international departure since the withdrawal of US forces.", after=(9, 9), before=(9, 20)),
            L("Qatar and Turkey are in talks with the Taliban on operating Kabul airport, officials said on {weekday}, as commercial flights slowly resumed."),
            L("The United States said on {weekday} the Taliban were allowing American citizens and Afghans with valid documents to leave on charter flights from Kabul."),
        ),
        quotes=(
            Q("Antony Blinken", "The Taliban have committed to letting people with travel documents leave freely"),
            Q("Mohammed bin Abdulrahman Al Thani", "Qatar will continue to facilitate the safe departure of those who wish to leave"),
            Q("Mevlut Cavusoglu", "Turkey is ready to help operate the airport together with Qatar"),
            Q("Suhail Shaheen", "People with legal documents can travel; this is our commitment"),
            Q("Ned Price", "We will hold the Taliban to their commitment on safe passage"),
        ),
        background=(
            L("Kabul's airport was damaged during the evacuation in August, and technical teams from Qatar and Turkey have worked to restore operations."),
            L("Thousands of Afghans who worked for Western governments remain in the country and are seeking to leave."),
            L("Pakistan International Airlines resumed commercial flights between Islamabad and Kabul in September."),
        ),
        reports=(
            R("Ned Price", "several hundred US citizens and permanent residents had left Afghanistan with US help since the end of August"),
        ),
    ),
)

# Context any Afghanistan story may carry.
CONTEXT: tuple[Line, ...] = (
    L("The Taliban took control of Kabul on Aug. 15 as the Western-backed government collapsed and President Ashraf Ghani left the country.", after=(8, 16)),
    L("The last US troops left Kabul on Aug. 30, ending a 20-year military presence in Afghanistan.", after=(8, 31)),
    L("No country has yet formally recognised the Taliban administration, which calls itself the Islamic Emirate of Afghanistan."),
    L("Western governments have said that any engagement with the Taliban will depend on the group's respect for human rights, including the rights of women and girls."),
    L("Aid agencies warn that millions of Afghans face hunger as winter approaches.", after=(10, 1)),
    L("Afghanistan's aid-dependent economy has been hit hard by the suspension of most foreign assistance and the freezing of central bank reserves held abroad.", after=(8, 20)),
    L("The United Nations Assistance Mission in Afghanistan (UNAMA) has kept a presence in Kabul since the change of government."),
    L("The Islamic State's regional affiliate, known as ISKP or IS-K, has claimed several deadly attacks in Afghanistan since August.", after=(8, 27)),
    L("Pakistan, which shares a long border with Afghanistan, has urged the international community to engage with the new authorities to avoid a humanitarian collapse."),
    L("Qatar, which hosted the Taliban's political office for years, has become a key intermediary between the group and Western governments."),
    L("Russia, China, Pakistan, Iran, Turkey and Qatar are among the countries that have kept their embassies in Kabul open."),
    L("The interim cabinet announced on Sept. 7 is made up entirely of men, most of them veterans of the movement.", after=(9, 7)),
    L("The Taliban have promised a more moderate rule than during their previous time in power, from 1996 to 2001."),
    L("The 2020 Doha agreement between the United States and the Taliban set the terms for the withdrawal of foreign troops."),
    L("Women's rights activists have held small protests in Kabul and other cities demanding the right to work and study."),
    L("NATO allies have said they will coordinate their approach to the Taliban with each other and with the United Nations."),
    L("The European Union has said it will keep a minimal presence in Kabul to help deliver aid, without recognising the Taliban.", after=(9, 15)),
)

# Reactions any Afghanistan story may quote as a second or third voice.
REACTIONS: tuple[Quote, ...] = (
    Q("Zabihullah Mujahid", "The Islamic Emirate wants good relations with all countries, based on mutual respect"),
    Q("Antonio Guterres", "The international community must engage with the Taliban to avoid a collapse with devastating consequences"),
    Q("Deborah Lyons", "The de facto authorities must show that they are ready to govern for all Afghans", after=(9, 7)),
    Q("Josep Borrell", "Our engagement will depend on the behaviour of the new authorities"),
    Q("Ned Price", "We will continue to engage with the Taliban in a pragmatic way"),
    Q("Wang Yi", "The international community should help Afghanistan move towards a moderate and stable path"),
    Q("Sergei Lavrov", "We are in contact with the new authorities in Kabul"),
    Q("Mevlut Cavusoglu", "Turkey will continue to talk to the Taliban in order to help the Afghan people"),
    Q("Mohammed bin Abdulrahman Al Thani", "Isolation will not solve the problems of Afghanistan"),
    Q("Hamid Karzai", "All Afghans must have a voice in the future of their country"),
    Q("Abdullah Abdullah", "We are in contact with the Taliban leadership to discuss the future of the country", before=(9, 30)),
    Q("Jens Stoltenberg", "NATO allies will continue to coordinate closely on Afghanistan"),
    Q("Suhail Shaheen", "We want the world to engage with us and to help the Afghan people"),
)

# ---- off-subject stories: sport, markets, weather (fictional clubs, places and people) ----

CRICKET_SIDES = ("Harbourside Strikers", "Eastvale Rangers", "Northgate Falcons", "Riverbend Royals", "Saltmarsh Comets", "Oakridge Miners")
FOOTBALL_CLUBS = ("Northbridge United", "Riverside Athletic", "Kingsport City", "Westmoor Rovers", "Ashby Town", "Port Alder FC")
PLAYERS = ("Tom Ashdown", "Rhys Calder", "Ben Okoro", "Liam Pryce", "Marcus Hale", "Dan Whitby", "Jordan Vale", "Sam Kerrigan", "Owen Marsh", "Callum Reed")
COACHES = ("Graham Tolley", "Peter Haskins", "Neil Broadbent", "Simon Farrow")
TOWNS = ("Port Alder", "Westmoor", "Kingsport", "Eastvale", "Northbridge", "Saltmarsh")

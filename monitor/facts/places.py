"""Where compute is built: countries, their states and regions, and the cities of the field.

Entries end at `;` or a line end; `|` separates other names of the same place, each
reported as written ("U.S." and "United States" are both the text's words). Names that
are more often something else (Reading, Mobile, Jackson) are left out; patterns such as
"<town>, <state>" and "<name> County" find those places where a text states them.
"""

from __future__ import annotations

_COUNTRIES = """
US | U.S. | USA | U.S.A. | United States | United States of America | America
UK | U.K. | United Kingdom | Britain | Great Britain | England | Scotland | Wales
Northern Ireland; Ireland | Republic of Ireland; France; Germany; Spain; Portugal; Italy
Netherlands | the Netherlands | Holland; Belgium; Luxembourg; Switzerland; Austria; Denmark
Norway; Sweden; Finland; Iceland; Poland; Czech Republic | Czechia; Slovakia; Hungary
Romania; Bulgaria; Greece; Croatia; Slovenia; Serbia; Estonia; Latvia; Lithuania; Ukraine
Russia; Belarus; Moldova; Cyprus; Malta; Albania; North Macedonia; Bosnia; Montenegro
Turkey | Türkiye; Israel; Jordan; Lebanon; Egypt; Morocco; Algeria; Tunisia; Libya
Saudi Arabia; UAE | United Arab Emirates; Qatar; Kuwait; Bahrain; Oman; Iraq; Iran
Pakistan; India; Bangladesh; Sri Lanka; Nepal; China; Hong Kong; Macau; Taiwan; Japan
South Korea | Korea; North Korea; Mongolia; Kazakhstan; Uzbekistan; Singapore; Malaysia
Indonesia; Thailand; Vietnam; Philippines; Cambodia; Myanmar; Laos; Australia
New Zealand; Canada; Mexico; Brazil; Argentina; Chile; Colombia; Peru; Uruguay; Paraguay
Ecuador; Venezuela; Bolivia; Costa Rica; Panama; Guatemala; Dominican Republic
Puerto Rico; South Africa; Nigeria; Kenya; Ethiopia; Ghana; Rwanda; Tanzania; Uganda
Senegal; Ivory Coast; Zambia; Zimbabwe; Namibia; Botswana; Angola; Mozambique; Armenia
Azerbaijan; Georgia
"""

_REGIONS = """
Europe; Asia; Africa; North America; South America; Latin America; Middle East
Southeast Asia; South Asia; East Asia; Central Asia; Asia-Pacific | Asia Pacific | APAC
Nordics | Nordic countries | Scandinavia; Gulf states | Persian Gulf; Balkans
Eastern Europe; Western Europe; Central Europe; Northern Europe; Southern Europe
Midwest | US Midwest; Northern Virginia; Southern California; Northern California
Pacific Northwest; Texas Panhandle; Permian Basin; Inner Mongolia
Guangdong; Guizhou; Ningxia; Gansu; Xinjiang; Hebei; Zhejiang; Jiangsu; Sichuan
Bavaria; Hesse; North Rhine-Westphalia; Brandenburg; Saxony; Lower Saxony
Baden-Württemberg; Catalonia; Andalusia; Aragon; Lombardy; Sicily; Île-de-France
Ontario; Quebec | Québec; Alberta; British Columbia; Manitoba; Saskatchewan
Nova Scotia; New Brunswick; Newfoundland; New South Wales; Queensland
Western Australia; South Australia; Tasmania; Andhra Pradesh; Telangana; Tamil Nadu
Karnataka; Maharashtra; Gujarat; Uttar Pradesh; Kerala; Odisha; Rajasthan; West Bengal
Punjab; Haryana; Madhya Pradesh; Johor; Selangor; Sarawak; Jeddah Province
"""

_US_STATES = """
Alabama; Alaska; Arizona; Arkansas; California; Colorado; Connecticut; Delaware; Florida
Hawaii; Idaho; Illinois; Indiana; Iowa; Kansas; Kentucky; Louisiana; Maine; Maryland
Massachusetts; Michigan; Minnesota; Mississippi; Missouri; Montana; Nebraska; Nevada
New Hampshire; New Jersey; New Mexico; New York State; North Carolina; North Dakota; Ohio
Oklahoma; Oregon; Pennsylvania; Rhode Island; South Carolina; South Dakota; Tennessee
Texas; Utah; Vermont; Virginia; Washington | Washington state; West Virginia
Wisconsin; Wyoming
"""

_CITIES = """
Ashburn; Loudoun County; Prince William County; Manassas; Leesburg; Richmond; Dallas
Fort Worth; Houston; Austin; San Antonio; Abilene; Amarillo; El Paso; Phoenix; Mesa
Tucson; Las Vegas; Reno; Salt Lake City; Denver; Chicago; Columbus
New Albany; Cleveland; Cincinnati; Atlanta; Memphis; Nashville; Charlotte; Raleigh
Jacksonville; Miami; Tampa; Orlando; New York City | New York; Boston; Philadelphia
Pittsburgh; Baltimore; Detroit; Minneapolis; Milwaukee; Kansas City; St. Louis; Omaha
Des Moines; Council Bluffs; Oklahoma City; Tulsa; New Orleans; Baton Rouge; Seattle
Portland; Hillsboro; Quincy; The Dalles; Prineville; San Francisco; San Jose
Santa Clara; Los Angeles; San Diego; Sacramento; Cheyenne; Boise
Albuquerque; Huntsville; Birmingham; Louisville; Indianapolis; Toronto; Montreal
Vancouver; Calgary; Mexico City; Querétaro; Monterrey; São Paulo | Sao Paulo
Rio de Janeiro; Santiago; Buenos Aires; Bogotá | Bogota; Lima; London; Slough; Manchester
Edinburgh; Glasgow; Cardiff; Newport; Dublin; Cork; Paris; Marseille; Lyon; Grenoble
Frankfurt; Berlin; Munich; Hamburg; Stuttgart; Düsseldorf; Cologne; Jülich | Juelich
Leipzig; Amsterdam; Rotterdam; Eindhoven; Groningen; Brussels; Antwerp; Luxembourg City
Zurich | Zürich; Geneva; Lugano; Vienna; Milan; Rome; Turin; Bologna; Madrid; Barcelona
Valencia; Bilbao; Seville; Lisbon; Sines; Porto; Copenhagen; Aarhus; Odense; Oslo
Bergen; Stavanger; Stockholm; Gothenburg; Luleå | Lulea; Boden; Helsinki; Kajaani
Reykjavik; Warsaw; Prague; Budapest; Bucharest; Sofia; Athens; Istanbul; Tel Aviv
Jerusalem; Cairo; Riyadh; Jeddah; Dammam; NEOM; Abu Dhabi; Dubai; Doha; Muscat
Kuwait City; Manama; Mumbai; Navi Mumbai; Chennai; Hyderabad; Bengaluru | Bangalore
Pune; Delhi | New Delhi; Noida; Kolkata; Ahmedabad; Visakhapatnam | Vizag; Jamnagar
Karachi; Dhaka; Colombo; Beijing; Shanghai; Shenzhen; Guangzhou; Hangzhou; Chengdu
Chongqing; Wuhan; Tianjin; Guiyang; Ulanqab; Zhangbei; Taipei; Hsinchu
Kaohsiung; Tainan; Tokyo; Osaka; Hokkaido; Kyushu; Fukuoka; Seoul; Busan; Incheon
Kuala Lumpur; Cyberjaya; Johor Bahru; Batam; Jakarta; Bangkok
Ho Chi Minh City; Hanoi; Manila; Sydney; Melbourne; Brisbane; Perth; Canberra
Auckland; Johannesburg; Cape Town; Lagos; Nairobi; Casablanca
"""

# Capitals that often stand for their government ("Washington said", "Beijing's
# military"): a place only where the text puts something in or near them.
METONYMS = frozenset({"Washington", "Beijing", "Brussels", "Moscow", "Tehran", "Pyongyang",
                      "Kremlin", "Ottawa", "Canberra", "Westminster", "Whitehall"})
# Short forms that open noun phrases ("US government", "UK economy", "UAE-US campus").
ACRONYMS = frozenset({"us", "u.s", "usa", "u.s.a", "uk", "u.k", "uae", "eu", "prc", "roc"})
# Written after "<town>, ": a state's postal or AP abbreviation, and the state it stands for.
_ABBREVIATIONS = """Alabama AL Ala; Arizona AZ Ariz; Arkansas AR Ark; California CA Calif;
Colorado CO Colo; Connecticut CT Conn; Delaware DE Del; Florida FL Fla; Georgia GA Ga;
Illinois IL Ill; Indiana IN Ind; Iowa IA; Kansas KS Kan; Kentucky KY Ky; Louisiana LA La;
Maryland MD Md; Massachusetts MA Mass; Michigan MI Mich; Minnesota MN Minn;
Mississippi MS Miss; Missouri MO Mo; Montana MT Mont; Nebraska NE Neb; Nevada NV Nev;
New_Jersey NJ N.J; New_Mexico NM N.M; New_York NY N.Y; North_Carolina NC N.C;
North_Dakota ND N.D; Ohio OH; Oklahoma OK Okla; Oregon OR Ore; Pennsylvania PA Pa;
South_Carolina SC S.C; South_Dakota SD S.D; Tennessee TN Tenn; Texas TX Tex; Utah UT;
Virginia VA Va; Washington WA Wash; West_Virginia WV W.Va; Wisconsin WI Wis; Wyoming WY Wyo"""
STATE_ABBREVIATIONS: dict[str, str] = {
    short: words[0].replace("_", " ")
    for words in (entry.split() for entry in _ABBREVIATIONS.split(";"))
    for short in words[1:]
}
# Too wide to say where a site is when a country or town is also named.
CONTINENTS = frozenset({"Europe", "Asia", "Africa", "North America", "South America",
                        "Latin America", "Middle East", "Southeast Asia", "South Asia",
                        "East Asia", "Central Asia", "Asia-Pacific", "Eastern Europe",
                        "Western Europe", "Central Europe", "Northern Europe",
                        "Southern Europe"})
# "<name> County" and the like name a place whatever <name> is.
PLACE_SUFFIXES = frozenset({"County", "Parish", "Township", "Province", "Prefecture",
                            "District", "Borough", "Municipality", "Governorate", "Emirate"})
# Places by their kind, for "<town>, <state or country>".
STATES = frozenset(name.strip() for entry in _US_STATES.replace("\n", ";").split(";")
                   for name in entry.split("|") if name.strip())


def entries() -> list[tuple[str, ...]]:
    """(name, other names...) for every place listed above."""
    out: list[tuple[str, ...]] = []
    for block in (_COUNTRIES, _REGIONS, _US_STATES, _CITIES):
        for entry in block.replace("\n", ";").split(";"):
            names = tuple(n.strip() for n in entry.split("|") if n.strip())
            if names:
                out.append(names)
    return out

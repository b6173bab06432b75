"""The organisations of the field: who builds, funds, supplies, owns or runs AI compute.

One entry per organisation (entries end at `;` or a line end): its shortest common name
first (what `facts` reports), then other names it goes by. A name is found whole and
capitalised as a name; names that are also ordinary words ("Stack", "Vantage") are listed
only in a longer, unambiguous form. Outlets, analysts and agencies that only report or
regulate are in `NOT_COMPANIES`, so that the patterns (suffixes like "Capital" or
"Networks", "the chipmaker X") do not take them.
"""

from __future__ import annotations

_HYPERSCALERS_AND_LABS = """
Microsoft | Microsoft Corp | Microsoft Corporation; Amazon | Amazon.com
AWS | Amazon Web Services; Google | Google Cloud | Google DeepMind | DeepMind; Alphabet
Meta | Meta Platforms | Meta Platform; Facebook; Oracle | Oracle Cloud Infrastructure | OCI
Apple; IBM; Alibaba | Alibaba Cloud | Alibaba Group; Tencent | Tencent Cloud; Baidu
ByteDance; Huawei | Huawei Cloud; Tesla; SpaceX; OpenAI; Anthropic; xAI; Naver; Kakao; SAP
Mistral | Mistral AI; Cohere; Safe Superintelligence
Thinking Machines Lab | Thinking Machines; Aleph Alpha; Reflection AI; Poolside
Stability AI; Black Forest Labs; Moonshot AI; Zhipu AI; MiniMax; Inflection AI; Perplexity
Salesforce
"""

_CHIPS_AND_HARDWARE = """
Nvidia | NVIDIA Corporation | Nvidia Corp; AMD | Advanced Micro Devices; Intel; Broadcom
Marvell | Marvell Technology; Qualcomm; Arm | Arm Holdings
TSMC | Taiwan Semiconductor Manufacturing Company | Taiwan Semiconductor
Samsung | Samsung Electronics; SK Hynix | SK hynix; Micron | Micron Technology
Cerebras | Cerebras Systems; Groq; SambaNova | SambaNova Systems; Graphcore; Tenstorrent
d-Matrix; Lightmatter; Ayar Labs; Cambricon; Moore Threads; Biren | Biren Technology
Enflame; Hygon; SMIC; Rebellions; FuriosaAI; ASML; Applied Materials; Lam Research
Tokyo Electron; Supermicro | Super Micro Computer | Super Micro; Dell | Dell Technologies
HPE | Hewlett Packard Enterprise; Lenovo; Foxconn | Hon Hai | Hon Hai Precision
Quanta | Quanta Computer; Wistron; Wiwynn; Inventec; Celestica; Cisco | Cisco Systems
Arista | Arista Networks; Juniper | Juniper Networks; Nokia; Ericsson; Corning; Fujitsu; NEC
Eviden; Atos; Penguin Solutions; Vertiv; Schneider Electric; Eaton; ABB; Siemens
Siemens Energy; GE Vernova; Mitsubishi Heavy Industries | Mitsubishi Heavy; Mitsubishi Power
Caterpillar; Cummins; Rolls-Royce; Bloom Energy; Wärtsilä | Wartsila
"""

_NEOCLOUDS_AND_OPERATORS = """
CoreWeave; Nebius | Nebius Group; Lambda | Lambda Labs; Crusoe | Crusoe Energy; Together AI
Vultr; Voltage Park; Fluidstack; Nscale; Firmus; IREN | Iris Energy; Applied Digital
Core Scientific; Hut 8; Cipher Mining; TeraWulf; Bitfarms; Riot | Riot Platforms
MARA | Marathon Digital; CleanSpark; Bitdeer; Galaxy Digital; Hive Digital; Soluna; G42
Core42; Khazna; MGX; Humain; Yotta | Yotta Data Services; E2E Networks; Tata Communications
Reliance | Reliance Industries | Jio | Reliance Jio; Adani | Adani Group | AdaniConneX
Airtel | Bharti Airtel | Nxtra; Sify; CtrlS; NTT | NTT Data; KDDI
SoftBank | SoftBank Group | SoftBank Corp; Sakura Internet; Equinix; Digital Realty
QTS | QTS Data Centers; Vantage Data Centers; Aligned Data Centers | Aligned Data Centres
Stack Infrastructure; CyrusOne; EdgeConneX; EdgeCore | EdgeCore Digital Infrastructure
Compass Datacenters; DataBank; Flexential; Iron Mountain; CloudHQ; Stream Data Centers
Tract; Related Digital; Prime Data Centers; Novva; Lancium; Cologix
Sabey | Sabey Data Centers; Yondr; Colt DCS; Global Switch; AirTrunk; NextDC
CDC Data Centres; Princeton Digital Group; ST Telemedia | STT GDC; Bridge Data Centres
YTL | YTL Power; DayOne; GDS | GDS Holdings; Chindata; VNET; Kao Data; Ark Data Centres
Pure DC; Virtus; Data4; Scaleway; Iliad; OVHcloud; Orange; Deutsche Telekom
Telefonica | Telefónica; Swisscom; Telenor; Telia; Verne Global; atNorth; EcoDataCenter
Green Mountain; Bulk Infrastructure; Start Campus; Fermi America
Schwarz Group | Schwarz Digits | STACKIT; DataVolt; Aramco | Saudi Aramco; SK Telecom; KT Corp
Tata Consultancy Services | TCS; Larsen & Toubro | L&T; Sesterce; Switch Inc; Digital Edge
"""

_INVESTORS = """
BlackRock; Global Infrastructure Partners | GIP; AI Infrastructure Partnership | AIP
Blackstone; KKR; Brookfield | Brookfield Asset Management | Brookfield Infrastructure
Blue Owl | Blue Owl Capital; Apollo Global | Apollo Global Management
Carlyle | Carlyle Group; Silver Lake; DigitalBridge
Macquarie | Macquarie Asset Management | Macquarie Group; Stonepeak; EQT; Partners Group
Ares Management; TPG; I Squared Capital; Energy Capital Partners; Goldman Sachs
JPMorgan | JPMorgan Chase | J.P. Morgan; Morgan Stanley; Citigroup | Citi; Bank of America
MUFG; SMBC; Mizuho; BNP Paribas; Deutsche Bank; Temasek; GIC; Mubadala; ADQ
ADIA | Abu Dhabi Investment Authority; Public Investment Fund | PIF
Qatar Investment Authority | QIA; Kuwait Investment Authority; Andreessen Horowitz | a16z
Sequoia | Sequoia Capital; Thrive Capital; Fidelity; Magnetar; Pimco; Nuveen
CPP Investments; CDPQ; Bpifrance; KfW; European Investment Bank | EIB; Caisse des Dépôts
"""

_ENERGY_AND_BUILDERS = """
Entergy; Dominion | Dominion Energy; Duke Energy; Southern Company; Georgia Power
NextEra | NextEra Energy; AEP | American Electric Power; Exelon
Constellation | Constellation Energy; Vistra; Talen | Talen Energy; NRG | NRG Energy; PG&E
Xcel Energy; Ameren; Evergy; Oncor; PPL; FirstEnergy; TVA | Tennessee Valley Authority
Kairos | Kairos Power; Oklo; NuScale; X-energy; TerraPower; Helion | Helion Energy
Commonwealth Fusion Systems; Holtec; Westinghouse; EDF; Engie; Iberdrola; RWE; E.ON
Vattenfall; Ørsted | Orsted; Statkraft; Fortum; National Grid; Williams Companies; Chevron
ExxonMobil | Exxon; Shell; BP; TotalEnergies; Equinor; Energy Transfer; Kinder Morgan
Turner Construction; DPR Construction; Mortenson; Holder Construction; Bechtel; Fluor
Jacobs Solutions | Jacobs Engineering; AECOM; Skanska; Kiewit; Clayco; Rosendin
Quanta Services; MasTec
"""

_PUBLIC_BODIES = """
EU | European Union; European Commission
EuroHPC | EuroHPC JU | EuroHPC Joint Undertaking | Euro HPC; Department of Energy | DOE
Oak Ridge National Laboratory | ORNL; Argonne National Laboratory | Argonne
Lawrence Livermore National Laboratory | LLNL; Los Alamos National Laboratory; NERSC
Forschungszentrum Jülich | Jülich Supercomputing Centre
Barcelona Supercomputing Center | BSC; CINECA; GENCI; RIKEN; IndiaAI Mission; Stargate LLC
UK Research and Innovation | UKRI; METI
"""

# Only report, rate, regulate or analyse: never counted as companies of a story.
NOT_COMPANIES = frozenset(
    name.lower() for name in """Reuters | Bloomberg | Bloomberg Intelligence | Bloomberg News |
    CNBC | Financial Times | FT | Wall Street Journal | WSJ | AFP | AP | Associated Press |
    The Information | The Register | TechCrunch | The Verge | Data Center Dynamics | DCD |
    Investing.com | Nikkei | Business Insider | Axios | Semafor | SemiAnalysis | Gartner |
    IDC | TrendForce | Counterpoint | Omdia | Dell'Oro | Synergy Research | Moody's |
    S&P | S&P Global | Fitch | Morningstar | Nasdaq | NYSE | Dow Jones | CNN | BBC | Fortune |
    Forbes | Barron's | MarketWatch | Yahoo Finance | Seeking Alpha | Motley Fool | Wired |
    Tom's Hardware | The Decoder | Global Data Center Hub | Truth Social | X | Twitter |
    LinkedIn | Commerce Department | Department of Commerce | White House | Congress |
    Senate | House | Pentagon | BIS | Bureau of Industry and Security | SEC | FTC | FERC |
    Central Statistics Office""".split("|")
)


def entries() -> list[tuple[str, ...]]:
    """(shortest name, other names...) for every organisation listed above."""
    out: list[tuple[str, ...]] = []
    for block in (_HYPERSCALERS_AND_LABS, _CHIPS_AND_HARDWARE, _NEOCLOUDS_AND_OPERATORS,
                  _INVESTORS, _ENERGY_AND_BUILDERS, _PUBLIC_BODIES):
        for entry in block.replace("\n", ";").split(";"):
            names = tuple(n.strip() for n in entry.split("|") if n.strip())
            if names:
                out.append(names)
    return out

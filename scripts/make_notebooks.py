"""Build the workshop notebooks in ``notebooks/`` (Finnish, with an English twin).

Each notebook is written here once, with the Finnish and the English text
side by side, so the two languages cannot drift apart: a markdown cell is a
``(fi, en)`` pair, and a code cell is one source in which ``⟪suomeksi‖in
English⟫`` picks the comment, label or ``lang=`` value of each language. The
notebooks are committed without outputs; ``tests/test_notebooks.py`` runs
every one of them top to bottom.

Usage::

    python scripts/make_notebooks.py            # (re)write notebooks/*.ipynb
    python scripts/make_notebooks.py --check    # exit 1 if a committed notebook differs

Every notebook writes only into ``tulokset/`` (results) under the folder it
runs in; the repository's ``.gitignore`` covers ``notebooks/tulokset/``.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "notebooks"
LANGS = ("fi", "en")
_PICK = re.compile(r"⟪(.*?)‖(.*?)⟫", re.DOTALL)


@dataclass(frozen=True)
class Md:
    fi: str
    en: str


@dataclass(frozen=True)
class Code:
    source: str


@dataclass(frozen=True)
class Notebook:
    fi_name: str
    en_name: str
    cells: tuple[Md | Code, ...]


def _pick(text: str, lang: str) -> str:
    k = LANGS.index(lang)
    return _PICK.sub(lambda m: m.group(k + 1), text)


def _clean(text: str) -> str:
    return text.strip("\n").rstrip() + ""


def setup_code(folder: str, *, euros: bool = False) -> Code:
    """The first code cell of notebooks 2–4: imports, number display, the results folder."""
    helper = """

def euros(x: float) -> str:
    return ⟪f"{x:,.2f} €".replace(",", " ").replace(".", ",")‖f"{x:,.2f} €"⟫
""" if euros else ""
    return Code(
        f"""
from pathlib import Path

import pandas as pd

import lapsibudjetti as lb

# ⟪euromäärät suomalaisittain: 1 234 567,89‖amounts with thousands separators: 1,234,567.89⟫
pd.options.display.float_format = ⟪lambda x: f"{{x:,.2f}}".replace(",", " ").replace(".", ",")‖"{{:,.2f}}".format⟫
pd.options.display.max_columns = 30
pd.options.display.width = 200
{helper}

# ⟪kaikki tiedostot menevät tähän kansioon (tulokset = results)‖every file goes into this folder (tulokset = results)⟫
OUT = Path("tulokset") / "{folder}"
OUT.mkdir(parents=True, exist_ok=True)
"""
    )


# ---------------------------------------------------------------------------
# 1. first child budget

NB1 = Notebook(
    "01_ensimmainen_lapsibudjetti",
    "01_first_child_budget",
    (
        Md(
            """
# 1. Ensimmäinen lapsibudjetti kymmenellä rivillä

Tässä muistiossa lasketaan lapsibudjetti: kuinka monta euroa kohdistuu lapsiin,
nuoriin ja lapsiperheisiin, minkä palvelujen kautta ja ehtivätkö eurot ajoissa
(yleiset palvelut ja varhainen tuki) vai vasta myöhään (korjaavat palvelut).

**Aineisto on SYNTEETTINEN**: kuvitteellinen Esimerkkilän kunta (X01), sen naapuri
Mallila (X02) ja niiden Esimerkin hyvinvointialue (X1), talousarviot (TA) ja
tilinpäätökset (TP) 2021–2024. Palveluluokat ja tilit ovat oikeita, eurot keksittyjä.

Suorita solut järjestyksessä ylhäältä alas (*Shift + Enter*). Muistio kirjoittaa
tiedostoja vain kansioon `tulokset/`. Englanninkielinen versio:
`01_first_child_budget.ipynb`.
""",
            """
# 1. Your first child budget in ten lines

This notebook computes a child budget: how many euros reach children, young
people and families with children, through which services, and whether they
arrive early (universal services and targeted early support) or late
(corrective services).

**The data are SYNTHETIC**: the fictional municipality of Esimerkkilä (X01), its
neighbour Mallila (X02) and their wellbeing area (hyvinvointialue) X1, budgets
(TA) and actuals (TP) 2021–2024. The service classes and accounts are real, the
euros made up.

Run the cells from top to bottom (*Shift + Enter*). The notebook writes files only
into `tulokset/` (results). Finnish version: `01_ensimmainen_lapsibudjetti.ipynb`.
""",
        ),
        Md(
            """
## Kymmenen riviä

Ladataan esimerkkiaineisto, lasketaan lapsibudjetti kansallisilla oletussäännöillä
ja katsotaan tulos: yhteenveto, tunnusluvut, eurot luokittain ja kaavio.
""",
            """
## Ten lines

Load the sample, compute the child budget with the national default rules and look
at the result: the overview, the metrics, euros by category and a chart.
""",
        ),
        Code(
            """
import lapsibudjetti as lb

sample = lb.load_sample("synthetic")                   # ⟪Esimerkkilä, Mallila ja niiden hyvinvointialue‖Esimerkkilä, Mallila and their wellbeing area⟫
ledgers = list(sample.ledgers.values())                # ⟪kolme kirjanpitoa: X01, X02, X1‖three ledgers: X01, X02, X1⟫
budget = lb.child_budget(
    ledgers,
    population=sample.population,                      # ⟪asukkaat iän mukaan (väestöosuudet, euroa lasta kohden)‖residents by age (population shares, euros per child)⟫
    keys=sample.keys,                                  # ⟪omat jakoavaimet, esim. lukion alle 18-vuotiaat opiskelijat‖own keys, e.g. upper-secondary students under 18⟫
    registry=sample.registry,                          # ⟪kuvitteelliset organisaatiot nimineen‖the fictional organisations and their names⟫
    measure="net cost (expenses − revenue)",           # ⟪mitä eurot ovat: näkyy taulukoissa ja kaavioissa‖what the amounts are: shown on tables and charts⟫
)
budget
"""
        ),
        Code(
            """
import pandas as pd

# ⟪taulukoiden euromäärät suomalaisittain: 1 234 567,89‖amounts in tables with thousands separators: 1,234,567.89⟫
pd.options.display.float_format = ⟪lambda x: f"{x:,.2f}".replace(",", " ").replace(".", ",")‖"{:,.2f}".format⟫
pd.options.display.max_columns = 30
"""
        ),
        Md(
            """
Yhteenvedosta näet heti kolme asiaa:

- **kaikki menot ja lapsiin kohdistuvat eurot** (vihreät rivit kokonaan, keltaisista
  jakoavaimen mukainen osuus);
- **täsmäytys**: jokainen syötteen euro on joko luokiteltu tai listattu
  luokittelemattomana (`unmapped`), ja summat täsmäävät sentilleen;
- suurimmat **luokat** lapsiin kohdistuvina euroina.

Tunnusluvut organisaatioittain ja vuosittain (`summary()`); tässä vain tilinpäätökset
ja tärkeimmät sarakkeet:
""",
            """
The overview tells three things at once:

- **all spending and the child-targeted euros** (green lines in full, the key's
  share of yellow lines);
- **reconciliation**: every input euro is either classified or listed as
  unmapped, and the totals agree to the cent;
- the largest **categories** in child-targeted euros.

The metrics per organisation and year (`summary()`); here the actuals only and the
main columns:
""",
        ),
        Code(
            """
summary = budget.summary()
summary.query("phase == 'actual'")[
    ["org_code", "year", "total_euros", "child_euros", "child_share_of_total", "children", "euros_per_child",
     "preventive_share", "corrective_share"]
]
"""
        ),
        Md(
            """
| sarake | merkitys |
|---|---|
| `total_euros` | kaikki kirjanpidon eurot (tässä nettokustannus: kulut − tuotot) |
| `child_euros` | lapsiin kohdistuvat eurot |
| `child_share_of_total` | lapsiin kohdistuvien osuus kaikista |
| `children` | 0–17-vuotiaat asukkaat (hyvinvointialueella jäsenkuntien summa) |
| `euros_per_child` | lapsiin kohdistuvat eurot lasta kohden |
| `preventive_share` | ehkäisevien osuus = (yleiset + varhainen tuki) ÷ lapsiin kohdistuvat |
| `corrective_share` | korjaavien palvelujen osuus |

Huomaa kuntien luvut vuonna 2023: sote-palvelut (lastensuojelu, neuvolat,
kouluterveydenhuolto …) siirtyivät 1.1.2023 hyvinvointialueelle, joten ne ovat siitä
alkaen alueen kirjanpidossa. Muistio 2 yhdistää kunnan ja alueen luvut.
""",
            """
| column | meaning |
|---|---|
| `total_euros` | all euros of the ledger (here net cost: expenses − revenue) |
| `child_euros` | child-targeted euros |
| `child_share_of_total` | their share of all euros |
| `children` | residents aged 0–17 (for a wellbeing area, the sum of its municipalities) |
| `euros_per_child` | child-targeted euros per child |
| `preventive_share` | preventive share = (universal + targeted early support) ÷ child-targeted euros |
| `corrective_share` | share of corrective services |

Note the municipalities' figures in 2023: social and health services (child
protection, child health clinics, school health care …) moved to the wellbeing
area on 1.1.2023 and are in the area's ledger from then on. Notebook 2 puts the
municipality's and the area's figures together.
""",
        ),
        Md(
            """
## Eurot luokittain

`by("category")` antaa lapsiin kohdistuvat eurot luokittain (`euros` = kaikki luokan
eurot, `child_euros` = niistä lapsiin kohdistuvat). Tässä Esimerkkilän tilinpäätös 2022:
""",
            """
## Euros by category

`by("category")` gives the child-targeted euros by category (`euros` = all euros of
the category, `child_euros` = the child-targeted part). Here Esimerkkilä's actuals
for 2022:
""",
        ),
        Code(
            """
categories = budget.by("category", lang=⟪"fi"‖"en"⟫)
categories.query("org_code == 'X01' and year == 2022 and phase == 'actual'")[["label", "euros", "child_euros", "lines"]]
"""
        ),
        Md(
            """
Sama palvelutasoittain (`tier`) ja liikennevalon värin mukaan (`colour`):
""",
            """
The same by service tier (`tier`) and by traffic-light colour (`colour`):
""",
        ),
        Code(
            """
tiers = budget.by("tier", lang=⟪"fi"‖"en"⟫).dropna(subset=["tier"])   # ⟪punaisilla riveillä ei ole palvelutasoa‖red lines have no tier⟫
tiers.query("year == 2024 and phase == 'actual'")[["org_code", "label", "child_euros"]]
"""
        ),
        Code(
            """
budget.by("colour", lang=⟪"fi"‖"en"⟫).query("year == 2024 and phase == 'actual'")[["org_code", "label", "euros", "child_euros"]]
"""
        ),
        Md(
            """
## Kaavio

Lapsiin kohdistuvat eurot palvelutasoittain vuonna 2024 (tilinpäätös). Kunnissa
painottuvat yleiset palvelut (varhaiskasvatus, koulu), hyvinvointialueella korjaavat
(sijaishuolto, erikoissairaanhoito).
""",
            """
## A chart

Child-targeted euros by service tier in 2024 (actuals). The municipalities' euros
are mostly universal services (early childhood education, school), the wellbeing
area's mostly corrective (placements, specialised health care).
""",
        ),
        Code(
            """
ax = lb.plot_tiers(budget, lang=⟪"fi"‖"en"⟫)
"""
        ),
        Md(
            """
## Mistä luku tulee? Rivit ja säännöt

Jokainen kirjanpitorivi saa säännön (`rule_id`), värin, palvelutason, sektorin ja
luokan. Keltaisilla riveillä lapsiin kohdistuva osuus (`child_share`) tulee
jakoavaimesta (`key_used`): esimerkiksi kirjaston menoista 0–17-vuotiaiden osuus
asukkaista, lukiosta alle 18-vuotiaiden osuus opiskelijoista.
""",
            """
## Where does a figure come from? Lines and rules

Every ledger line gets a rule (`rule_id`), a colour, a tier, a sector and a
category. On yellow lines the child share (`child_share`) comes from an allocation
key (`key_used`): for libraries the share of residents aged 0–17, for upper
secondary school the share of students under 18.
""",
        ),
        Code(
            """
lines = budget.lines
yellow = lines[(lines["colour"] == "yellow") & (lines["org_code"] == "X01") & (lines["year"] == 2024)]
yellow[["service_class", "account", "cost_centre", "amount", "rule_id", "key_used", "child_share", "child_euros"]].head(8)
"""
        ),
        Md(
            """
Luokittelemattomat rivit eivät katoa: ne ovat taulukossa `unmapped` syineen. Tässä
aineistossa jokainen rivi osuu sääntöön, joten taulukko on tyhjä, ja täsmäytys
näyttää jokaiselle organisaatiolle, vuodelle ja vaiheelle erotuksen 0,00 €:
""",
            """
Unmapped lines never disappear: they are in `unmapped` with the reason. In these
data every line matches a rule, so the table is empty, and the reconciliation shows
a difference of 0.00 € for every organisation, year and phase:
""",
        ),
        Code(
            """
print(⟪"luokittelemattomia rivejä:"‖"unmapped lines:"⟫, len(budget.unmapped))
budget.reconciliation[["org_code", "year", "phase", "input_euros", "classified_euros", "unmapped_euros", "difference_euros", "ok"]]
"""
        ),
        Md(
            """
## Oma kirjanpito

Oma tiedosto luetaan funktiolla `lb.read_ledger`. Se ymmärtää suomalaiset viennit:
`;`-erottimen, desimaalipilkun, tuhaterottimet, otsikkorivin yläpuolella olevat
nimirivit ja suomen- tai ruotsinkieliset sarakeotsikot. Esimerkkiaineiston
CSV-tiedosto on juuri tällainen (katso sen kaksi ensimmäistä riviä). Kuvitteelliset
organisaatiot tunnetaan esimerkin rekisteristä (`registry=`); oman kunnan
tiedostossa sitä ei tarvita.
""",
            """
## Your own ledger

Read your own file with `lb.read_ledger`. It understands Finnish exports: the `;`
separator, decimal comma, thousands separators, title lines above the header and
Finnish or Swedish column headers. The sample's CSV file is just like that (see its
first two lines). The fictional organisations are known from the sample's registry
(`registry=`); a real municipality's file does not need it.
""",
        ),
        Code(
            """
path = lb.sample_path("synthetic/SYNTHETIC_ledger_X01_esimerkkila.csv")
print(path.read_text(encoding="utf-8-sig").splitlines()[:3])

ledger = lb.read_ledger(path, registry=sample.registry)
print(ledger.attrs)                                    # ⟪merkistö, erotin ja otsikkorivi‖encoding, separator and header row⟫
ledger.head()
"""
        ),
        Md(
            """
Tulos on kanoninen kirjanpito: jokaisella rivillä on tiedosto ja rivinumero
(`source_file`, `source_row`), joten jokainen euro voidaan jäljittää alkuperäiseen
riviin.

## Seuraavaksi

- `02_sote_rajan_yli.ipynb`: kunta ja hyvinvointialue yhdessä, aikasarja vuoden
  2023 rajan yli ja vertailu mediaaniin;
- `03_saannot_excelissa.ipynb`: muuta sääntöä Excelissä ja katso, miten tulos muuttuu;
- `04_vuosiraportti_valtuustolle.ipynb`: työkirja, taulukot ja kaaviot yhdellä komennolla.

Käyttöopas: `docs/user-guide.md`; määritelmät ja oletukset: `docs/method.md`.
""",
            """
The result is the canonical ledger: every line keeps its file and row number
(`source_file`, `source_row`), so every euro can be traced back to its line.

## Next

- `02_across_the_sisote_boundary.ipynb`: the municipality and the wellbeing area
  together, a series across 2023 and a comparison with the median;
- `03_edit_rules_in_excel.ipynb`: change a rule in Excel and see the result change;
- `04_annual_report_for_council.ipynb`: the workbook, tables and charts in one command.

User guide: `docs/user-guide.md`; definitions and assumptions: `docs/method.md`.
""",
        ),
    ),
)

# ---------------------------------------------------------------------------
# 2. across the si-sote boundary

NB2 = Notebook(
    "02_sote_rajan_yli",
    "02_across_the_sisote_boundary",
    (
        Md(
            """
# 2. Sivistyksen ja soten rajan yli

Vuodesta 2023 lapsen palvelut rahoittaa kaksi organisaatiota: kunta (varhaiskasvatus,
koulu, nuorisotyö, kulttuuri ja liikunta = **sivistys**) ja hyvinvointialue
(lastensuojelu, perhepalvelut, neuvolat, kouluterveydenhuolto, psykiatria = **sote**).
Kummankin oma lapsibudjetti on vain puolet kuvasta. Tässä muistiossa:

1. **aluenäkymä**: hyvinvointialue ja sen jäsenkunnat yhdessä;
2. **kuntanäkymä**: kunnan omat menot ja sen osuus alueen menoista, väestöavaimella
   ja omalla avaimella;
3. **aikasarja** 2021–2024 vuoden 2022/2023 katkoksen yli;
4. **vertailu mediaaniin** (oikeilla Tilastokeskuksen luvuilla 2015–2019).

Aineisto 1–3: SYNTEETTINEN (kuvitteellinen Esimerkkilä, Mallila ja hyvinvointialue X1).
""",
            """
# 2. Across the si-sote boundary

Since 2023 a child's services are financed by two organisations: the municipality
(early childhood education, school, youth work, culture and sport = **sivistys**)
and the wellbeing area (child protection, family services, clinics, school health
care, psychiatry = **sote**). A child budget of either alone is half the picture.
In this notebook:

1. the **region view**: a wellbeing area together with its municipalities;
2. the **municipality view**: the municipality's own spending plus its share of the
   area's, with the population key and with a key of your own;
3. a **series** 2021–2024 across the 2022/2023 break;
4. a **comparison with the median** (on real Statistics Finland figures 2015–2019).

Data for 1–3: SYNTHETIC (the fictional Esimerkkilä, Mallila and wellbeing area X1).
""",
        ),
        setup_code("02"),
        Code(
            """
sample = lb.load_sample("synthetic")
budget = sample.child_budget()                         # ⟪kaikki kolme kirjanpitoa, esimerkin väestö ja avaimet‖all three ledgers, the sample's population and keys⟫

per_child = budget.summary().query("phase == 'actual'")
per_child.pivot(index="year", columns="org_code", values="euros_per_child")
"""
        ),
        Md(
            """
Kuntien euroa lasta kohden putoaa vuonna 2023 selvästi, vaikka mikään palvelu
ei loppunut: sote-menot vain siirtyivät hyvinvointialueen kirjanpitoon.
Vertailukelpoinen luku tarvitsee molemmat kirjanpidot.

## 1. Aluenäkymä: hyvinvointialue ja sen kunnat

`lb.region_view` yhdistää alueen ja sen jäsenkuntien rivit. Euroa lasta kohden
lasketaan koko alueen lapsista (jäsenkuntien summa).
""",
            """
The municipalities' euros per child drop sharply in 2023 although no service
stopped: the social and health spending simply moved into the wellbeing area's
ledger. A comparable figure needs both ledgers.

## 1. Region view: the wellbeing area and its municipalities

`lb.region_view` joins the lines of the area and of its member municipalities. Euros
per child are over all the area's children (the sum of its municipalities').
""",
        ),
        Code(
            """
region = lb.region_view(budget, "X1")
region.summary().query("phase == 'actual'")[
    ["org_type", "org_code", "year", "child_euros", "children", "euros_per_child", "preventive_share", "corrective_share"]
]
"""
        ),
        Md(
            """
Mistä alueen luku koostuu: `composition` näyttää jokaisen jäsenen osuuden. Rivit
summautuvat sentilleen alueen lukuihin.
""",
            """
What the region's figure is made of: `composition` shows each member's part. The
rows add up to the region's totals to the cent.
""",
        ),
        Code(
            """
region.composition.query("phase == 'actual' and year >= 2022")[
    ["year", "member_type", "member_code", "input_euros", "child_euros", "children"]
]
"""
        ),
        Md(
            """
## 2. Kuntanäkymä väestöavaimella

`lb.municipality_view` jakaa hyvinvointialueen jokaisen rivin kaikille jäsenkunnille
sentilleen. Oletusavain on kunnan osuus alueen 0–17-vuotiaista. Kunnan luku =
omat menot + osuus alueen menoista.
""",
            """
## 2. Municipality view with the population key

`lb.municipality_view` allocates every line of the wellbeing area to all its member
municipalities, to the cent. The default key is the municipality's share of the
area's residents aged 0–17. The municipality's figure = its own spending + its share
of the area's.
""",
        ),
        Code(
            """
municipalities = lb.municipality_view(budget, "all")
municipalities.summary().query("phase == 'actual'").pivot(index="year", columns="org_code", values="euros_per_child")
"""
        ),
        Md(
            """
Nyt luvut ovat vertailukelpoisia vuoden 2023 yli. Jaon tarkistus: alueen eurot ja
jäsenkunnille jaetut eurot ovat samat sentilleen (`ok`):
""",
            """
Now the figures are comparable across 2023. The allocation check: the area's euros
and the euros allocated to its municipalities agree to the cent (`ok`):
""",
        ),
        Code(
            """
municipalities.allocation_check[["area_code", "year", "phase", "area_child_euros", "allocated_child_euros", "ok"]]
"""
        ),
        Md(
            """
## 2b. Kuntanäkymä omalla avaimella

Väestöosuus olettaa, että jokainen lapsi käyttää alueen palveluja yhtä paljon.
Sijaishuollossa näin ei ole. Jos alueella on **asiakasmäärät kotikunnittain**, ne ovat
parempi avain. Avaintaulukossa on kunta, vuosi, palveluluokka ja arvo (`value`:
asiakkaat tai kustannukset); rivi ilman palveluluokkaa koskee muita luokkia.
Tässä (keksityt) sijaishuollon asiakkaat luokille 2122 ja 2123 ja muille luokille
0–17-vuotiaiden määrä:
""",
            """
## 2b. Municipality view with your own key

The population share assumes that every child uses the area's services equally.
In placements (sijaishuolto) they do not. If the area has **customers by home
municipality**, they make a better key. The key table has the municipality, the
year, the service class and a value (`value`: customers or costs); a row without a
class applies to the other classes. Here (made-up) placement customers for classes
2122 and 2123 and, for the other classes, the number of residents aged 0–17:
""",
        ),
        Code(
            """
customers = pd.DataFrame({
    "municipality_code": ["X01", "X02"] * 4,
    "year": [2023, 2023, 2024, 2024] * 2,
    "service_class": ["2122"] * 4 + ["2123"] * 4,
    "value": [40, 25, 42, 24, 10, 8, 11, 8],         # ⟪sijaishuollon asiakkaat kotikunnittain (keksitty)‖placement customers by home municipality (made up)⟫
})
children = (
    sample.population.by_age.query("age <= 17 and year >= 2023")
    .groupby(["org_code", "year"], as_index=False)["persons"].sum()
    .rename(columns={"org_code": "municipality_code", "persons": "value"})
    .assign(service_class="")                        # ⟪tyhjä luokka = kaikki muut luokat‖empty class = every other class⟫
)
key = pd.concat([customers, children], ignore_index=True)
key
"""
        ),
        Code(
            """
by_customers = lb.municipality_view(budget, "all", key=key)

compare_keys = pd.DataFrame({
    ⟪"väestöavain"‖"population key"⟫: municipalities.summary().set_index(["org_code", "year", "phase"])["child_euros"],
    ⟪"asiakasavain"‖"customer key"⟫: by_customers.summary().set_index(["org_code", "year", "phase"])["child_euros"],
}).query("year >= 2023")
compare_keys[⟪"erotus"‖"difference"⟫] = compare_keys.iloc[:, 1] - compare_keys.iloc[:, 0]
compare_keys
"""
        ),
        Md(
            """
Mallila saa asiakasavaimella enemmän sijaishuollon euroja, koska sen osuus
sijaishuollon asiakkaista on suurempi kuin sen osuus lapsista. Kuntien erotukset
kumoavat toisensa: alueen eurot jaetaan aina kokonaan. Jokainen käytetty osuus
näkyy taulukossa `allocation`:
""",
            """
Mallila gets more placement euros with the customer key because its share of
placement customers is larger than its share of children. The municipalities'
differences cancel out: the area's euros are always allocated in full. Every share
used is in `allocation`:
""",
        ),
        Code(
            """
by_customers.allocation.query("year == 2024 and service_class in ['2122', '2123'] and lines == 'child'")[
    ["service_class", "municipality_code", "weight", "share", "key"]
]
"""
        ),
        Md(
            """
## 3. Aikasarja 2021–2024 katkoksen yli

`lb.series` kokoaa kunnan sarjan: vuoteen 2022 asti sote-rivit tulevat kunnan
kirjanpidosta, vuodesta 2023 kunnan osuutena alueen kirjanpidosta. Sarake `source`
kertoo lähteen ja `break` merkitsee vuoden, jolloin lähde vaihtuu. Hintaindeksillä
(tässä synteettinen) saadaan muutos myös reaalisesti. Osuudet ja muutokset ovat
taulukoissa desimaalilukuja: 0,05 = 5 %.
""",
            """
## 3. A series 2021–2024 across the break

`lb.series` builds the municipality's series: up to 2022 the sote lines come from
the municipality's ledger, from 2023 as its share of the area's ledger. The column
`source` says where each figure comes from and `break` marks the year the source
changes. With a price index (synthetic here) the change is also in real terms. Shares
and changes are fractions in the tables: 0.05 = 5 %.
""",
        ),
        Code(
            """
esimerkkila = lb.series(budget, "X01", price_index=sample.price_index)
esimerkkila.table.query("phase == 'actual' and sector == 'sote'")[["year", "child_euros", "euros_per_child", "source", "break"]]
"""
        ),
        Code(
            """
esimerkkila.totals.query("phase == 'actual'")[
    ["year", "child_euros", "euros_per_child", "change_pct", "real_change_pct", "preventive_share", "break"]
]
"""
        ),
        Md(
            """
Talousarvio ja toteuma rinnakkain (`actual_to_budget` = toteuma ÷ talousarvio):
""",
            """
Budget and actual side by side (`actual_to_budget` = actual ÷ budget):
""",
        ),
        Code(
            """
esimerkkila.budget_vs_actual.query("sector == 'all'")[
    ["year", "actual_child_euros", "budget_child_euros", "actual_minus_budget", "actual_to_budget"]
]
"""
        ),
        Md(
            """
Kaaviona: sivistyksen ja soten osuudet Esimerkkilän lapsiin kohdistuvista euroista
kuntanäkymässä. Vuodesta 2023 sote-osa on kunnan osuus hyvinvointialueen menoista.
""",
            """
As a chart: the education-and-culture and social-and-health parts of Esimerkkilä's
child-targeted euros in the municipality view. From 2023 the sote part is the
municipality's share of the wellbeing area's spending.
""",
        ),
        Code(
            """
ax = lb.plot_sisote_split(municipalities, org_code="X01", lang=⟪"fi"‖"en"⟫)
"""
        ),
        Code(
            """
ax = lb.plot_preventive_share(municipalities, lang=⟪"fi"‖"en"⟫)
"""
        ),
        Md(
            """
Huomaa pystyakseli: se ei ala nollasta, joten pienetkin muutokset näkyvät. Koko
asteikon saa valitsimella `ylim=(0, 1)`.
""",
            """
Note the vertical axis: it does not start at zero, so small changes show. The full
scale: `ylim=(0, 1)`.
""",
        ),
        Md(
            """
## 4. Vertailu mediaaniin (oikeat luvut)

Toinen esimerkkiaineisto on **oikeaa dataa**: Tilastokeskuksen nettokäyttökustannukset
tehtävittäin 2015–2019 (taulukko kta_14, CC BY 4.0) kahden hyvinvointialueen kaikista
kunnista: Vantaa ja Kerava (kaupunkimainen) sekä Kainuu (maaseutumainen).

Ikärakenne on saatavilla vain vuodelta 2019, joten vuosien 2015–2018 väestöosuudet
lasketaan vuoden 2019 ikärakenteesta kunkin vuoden väkilukuun skaalattuna. Kirjasto
kertoo tästä varoituksella (alla) ja merkitsee sen `method()`-tauluun.
""",
            """
## 4. Comparison with the median (real figures)

The second sample is **real data**: Statistics Finland's net operating costs by task
2015–2019 (table kta_14, CC BY 4.0) of every municipality of two wellbeing areas:
Vantaa and Kerava (urban) and Kainuu (rural).

The age structure is known for 2019 only, so the population shares of 2015–2018 use
the 2019 age structure scaled to each year's total population. The library says so
in a warning (below) and records it in the `method()` tables.
""",
        ),
        Code(
            """
real = lb.load_sample("real")
real_budget = real.child_budget()
real_budget
"""
        ),
        Md(
            """
`lb.compare` sijoittaa kunnat järjestykseen ja vertaa niitä koko aineiston mediaaniin
ja oman hyvinvointialueen mediaaniin (`by="area"`). `vs_group_median` on erotus
alueen mediaaniin.
""",
            """
`lb.compare` ranks the municipalities and compares them with the median of all of
them and with the median of their own wellbeing area (`by="area"`).
`vs_group_median` is the difference from the area's median.
""",
        ),
        Code(
            """
ranking = lb.compare(real_budget, by="area", metric="euros_per_child", years=2019, lang=⟪"fi"‖"en"⟫)
ranking[["name", "value", "rank", "national_median", "group_name", "group_median", "vs_group_median"]].sort_values("rank")
"""
        ),
        Code(
            """
ax = lb.plot_per_child(real_budget, year=2019, lang=⟪"fi"‖"en"⟫)
"""
        ),
        Md(
            """
Mediaani on kuntien mediaani (jokainen kunta painaa yhtä paljon). Pienissä kunnissa
euroa lasta kohden vaihtelee enemmän: yksikin sijoitus näkyy luvussa.

Kaksi aluetta rinnakkain aluenäkymänä:
""",
            """
The median is over municipalities (each counts once). In small municipalities
euros per child vary more: a single placement shows in the figure.

The two areas side by side as region views:
""",
        ),
        Code(
            """
regions = lb.region_view(real_budget)
regions.summary()[["org_code", "year", "child_euros", "children", "euros_per_child", "preventive_share"]]
"""
        ),
        Md(
            """
Lisää: `docs/user-guide.md` (luku *Across the boundary*) ja `docs/method.md`
(vuoden 2022/2023 vaihde ja avaimet).
""",
            """
More: `docs/user-guide.md` (section *Across the boundary*) and `docs/method.md`
(the 2022/2023 switch and the keys).
""",
        ),
    ),
)

# ---------------------------------------------------------------------------
# 3. edit the rules in Excel

NB3 = Notebook(
    "03_saannot_excelissa",
    "03_edit_rules_in_excel",
    (
        Md(
            """
# 3. Muuta sääntöä Excelissä ja vertaa

Lapsibudjetin säännöt ovat taulukko, ei ohjelmakoodia: jokainen rivi kertoo, mitkä
kirjanpitorivit se kattaa (palveluluokka, tili, kustannuspaikka …), minkä värin,
palvelutason ja luokan ne saavat ja millä perusteella (`basis`).

Harjoitus:

1. kirjoita oletussäännöt Excel-työkirjaksi;
2. muuta yksi sääntö, kuten työpajan osallistuja tekisi Excelissä: **nuorisopalvelut
   (3601) vihreästä punaiseksi**;
3. lue työkirja takaisin ja laske uudelleen;
4. tarkista, että lapsiin kohdistuvat eurot muuttuivat **täsmälleen** sen säännön
   kattamien rivien verran.

Lopuksi toinen harjoitus: uusi kustannuspaikkasääntö (`K999 Selvitettävät`).
Aineisto on SYNTEETTINEN.
""",
            """
# 3. Edit a rule in Excel and compare

The child-budget rules are a table, not program code: each row says which ledger
lines it covers (service class, account, cost centre …), which colour, tier and
category they get, and on what grounds (`basis`).

The exercise:

1. write the default rules to an Excel workbook;
2. change one rule as a workshop participant would in Excel: **youth work (3601)
   from green to red**;
3. read the workbook back and compute again;
4. check that the child-targeted euros changed by **exactly** the lines that rule
   covers.

Then a second exercise: a new cost-centre rule (`K999 Selvitettävät`, "to be
cleared"). The data are SYNTHETIC.
""",
        ),
        setup_code("03", euros=True),
        Md(
            """
## 1. Oletussäännöt Excel-työkirjaksi

`lb.write_rules` kirjoittaa säännöt työkirjaan: välilehdellä `rules` ovat säännöt
(otsikkorivi lukittu, suodattimet päällä) ja välilehdellä `columns` jokaisen sarakkeen
selitys. Saman tiedoston saa komentoriviltä: `lapsibudjetti rules --out saannot.xlsx`.
""",
            """
## 1. The default rules as an Excel workbook

`lb.write_rules` writes the rules to a workbook: the `rules` sheet holds the rules
(header frozen, filters on) and the `columns` sheet explains every column. The
command line gives the same file: `lapsibudjetti rules --out rules.xlsx`.
""",
        ),
        Code(
            """
rules_file = OUT / ⟪"saannot.xlsx"‖"rules.xlsx"⟫
lb.write_rules(lb.default_rules(), rules_file)

rules = lb.load_rules(rules_file)
print(rules)
rules.table.query("service_class in ['3601', '3051']")[
    ["rule_id", "service_class", "colour", "tier", "sector", "category", "basis"]
]
"""
        ),
        Md(
            """
## 2. Muutetaan sääntö kuten Excelissä

Excelissä: avaa `tulokset/03/saannot.xlsx`, suodata `rule_id` = `sc-3601`, vaihda
sarakkeeseen `colour` arvo `red`, tyhjennä `tier` (punaisella säännöllä ei ole
palvelutasoa) ja tallenna uudella nimellä. Tässä sama tehdään openpyxl-kirjastolla,
jotta muistio toimii ilman Exceliä:
""",
            """
## 2. Change the rule as in Excel

In Excel: open `tulokset/03/rules.xlsx`, filter `rule_id` = `sc-3601`, write `red`
in the `colour` column, clear `tier` (a red rule has no tier) and save under a new
name. Here the same is done with openpyxl so that the notebook runs without Excel:
""",
        ),
        Code(
            """
from openpyxl import load_workbook

wb = load_workbook(rules_file)
sheet = wb["rules"]
header = [cell.value for cell in sheet[1]]
column = {name: i for i, name in enumerate(header)}
for row in sheet.iter_rows(min_row=2):
    if row[column["rule_id"]].value == "sc-3601":
        row[column["colour"]].value = "red"            # ⟪vihreä → punainen‖green → red⟫
        row[column["tier"]].value = None               # ⟪punaisella ei palvelutasoa‖a red rule has no tier⟫
edited_file = OUT / ⟪"saannot_muokattu.xlsx"‖"rules_edited.xlsx"⟫
wb.save(edited_file)
"""
        ),
        Md(
            """
## 3. Luetaan takaisin ja lasketaan uudelleen

`lb.load_rules` tarkistaa jokaisen rivin; virheestä tulee viesti, joka nimeää rivin ja
sarakkeen (kokeile alempana). Lasketaan lapsibudjetti ennen ja jälkeen.
""",
            """
## 3. Read it back and compute again

`lb.load_rules` checks every row; a mistake gives a message naming the row and the
column (try it below). Compute the child budget before and after.
""",
        ),
        Code(
            """
edited = lb.load_rules(edited_file)
edited.table.query("rule_id == 'sc-3601'")[["rule_id", "service_class", "colour", "tier", "category"]]
"""
        ),
        Code(
            """
sample = lb.load_sample("synthetic")
before = sample.child_budget()                         # ⟪kansalliset oletussäännöt‖the national default rules⟫
after = sample.child_budget(rules=edited)              # ⟪muokattu työkirja‖the edited workbook⟫

keys = ["org_code", "year", "phase"]
change = pd.DataFrame({
    ⟪"ennen"‖"before"⟫: before.summary().set_index(keys)["child_euros"],
    ⟪"jälkeen"‖"after"⟫: after.summary().set_index(keys)["child_euros"],
})
change[⟪"muutos"‖"change"⟫] = change[⟪"jälkeen"‖"after"⟫] - change[⟪"ennen"‖"before"⟫]
change
"""
        ),
        Md(
            """
## 4. Muutos on täsmälleen säännön rivit

Säännön `sc-3601` kattamat rivit ennen muutosta (vihreinä ne laskettiin kokonaan
lapsiin kohdistuviksi). Verrataan niiden summaa muutokseen sentteinä:
""",
            """
## 4. The change is exactly the rule's lines

The lines rule `sc-3601` covered before the change (green, so counted in full as
child-targeted). Compare their sum with the change, in cents:
""",
        ),
        Code(
            """
covered = before.lines[before.lines["rule_id"] == "sc-3601"]
covered_euros = covered.astype({"org_code": str, "phase": str}).groupby(keys)["child_euros"].sum()

check = change.join(covered_euros.rename(⟪"säännön_rivit"‖"rule_lines"⟫), how="left").fillna({⟪"säännön_rivit"‖"rule_lines"⟫: 0.0})
# ⟪sentteinä, jotta liukulukujen pyöristys ei sotke vertailua‖in cents, so that floating-point rounding cannot blur the comparison⟫
check[⟪"täsmää"‖"matches"⟫] = (check[⟪"muutos"‖"change"⟫] * 100).round() == (-check[⟪"säännön_rivit"‖"rule_lines"⟫] * 100).round()
print(⟪"säännön rivejä:"‖"lines of the rule:"⟫, len(covered), ⟪"palveluluokat:"‖"service classes:"⟫, sorted(set(covered["service_class"].astype(str))))
check
"""
        ),
        Code(
            """
assert check[⟪"täsmää"‖"matches"⟫].all(), ⟪"muutos ei vastaa säännön rivejä"‖"the change does not equal the rule's lines"⟫
print(⟪"Lapsiin kohdistuvat eurot muuttuivat täsmälleen säännön sc-3601 rivien verran:"‖"The child-targeted euros changed by exactly the lines of rule sc-3601:"⟫,
      euros(-covered["child_euros"].sum()))
"""
        ),
        Md(
            """
Muut säännöt eivät muuttuneet: hyvinvointialueen (X1) luvut ovat samat, koska
nuorisopalvelut ovat kunnan tehtävä. Menetelmätaulukko (`method()["rules"]`) kertoo
jokaisen säännön rivimäärän ja eurot; sama taulukko on raportin työkirjassa.
""",
            """
Nothing else changed: the wellbeing area's (X1) figures are the same, since youth
work is a municipal task. The method table (`method()["rules"]`) gives every rule's
line count and euros; the report workbook has the same table.
""",
        ),
        Code(
            """
after.method()["rules"].query("rule_id == 'sc-3601'")[["rule_id", "colour", "lines", "euros", "child_euros", "basis"]]
"""
        ),
        Md(
            """
## Toinen harjoitus: kustannuspaikkasääntö

Esimerkkilän perusopetuksessa on kustannuspaikka `K999 Selvitettävät`: eriä, joita ei
ole vielä selvitetty. Oletussäännöissä ne ovat perusopetusta (3051, vihreä). Lisätään
työkirjaan uusi rivi, joka jättää ne lapsibudjetin ulkopuolelle, kunnes ne on
selvitetty. Kustannuspaikkasarakkeessa `*` tarkoittaa mitä tahansa tekstiä.

Kustannuspaikkasääntö voittaa palveluluokkasäännön, koska kustannuspaikka on
tarkempi rajaus (ks. `docs/user-guide.md`, *precedence*).
""",
            """
## Second exercise: a cost-centre rule

Esimerkkilä's basic education has the cost centre `K999 Selvitettävät`: items not
yet cleared. The default rules count them as basic education (3051, green). Add a
row to the workbook that leaves them out of the child budget until they are
cleared. In the cost-centre column `*` means any text.

The cost-centre rule beats the service-class rule because a cost centre is the
narrower constraint (see `docs/user-guide.md`, *precedence*).
""",
        ),
        Code(
            """
wb = load_workbook(rules_file)                         # ⟪taas oletussäännöistä‖from the default rules again⟫
sheet = wb["rules"]
new_rule = {
    "rule_id": "kp-k999",
    "cost_centre": "K999*",
    "colour": "red",
    "sector": "sivistys",
    "category": "not_child_targeted",
    "basis": ⟪"paikallinen päätös: selvitettävät erät eivät ole lapsibudjetissa ennen selvitystä"‖"local decision: items to be cleared stay out of the child budget until cleared"⟫,
}
sheet.append([new_rule.get(name) for name in header])
k999_file = OUT / ⟪"saannot_k999.xlsx"‖"rules_k999.xlsx"⟫
wb.save(k999_file)

with_k999 = sample.child_budget(rules=lb.load_rules(k999_file))
k999 = before.lines[before.lines["cost_centre"].astype(str).str.startswith("K999")]
moved = with_k999.lines.query("rule_id == 'kp-k999'")
print(⟪"K999-rivejä:"‖"K999 lines:"⟫, len(k999), ⟪"— uusi sääntö kattaa:"‖"— the new rule covers:"⟫, len(moved))
change_k999 = with_k999.summary()["child_euros"].sum() - before.summary()["child_euros"].sum()
print(⟪"muutos:"‖"change:"⟫, euros(change_k999), ⟪"— K999-rivien lapsiin kohdistuvat eurot ennen:"‖"— child euros of the K999 lines before:"⟫, euros(k999["child_euros"].sum()))
assert round(change_k999 * 100) == -round(k999["child_euros"].sum() * 100)
"""
        ),
        Md(
            """
## Kun säännössä on virhe

Kirjoitusvirhe ei mene läpi hiljaa. Värin voi kirjoittaa suomeksi, ruotsiksi tai
englanniksi (`punainen`, `röd`, `red`), mutta kokeillaan väriä `punanen`:
`lb.load_rules` nostaa `RuleError`-virheen, joka nimeää tiedoston, rivin ja sarakkeen,
ja `err.rows` listaa kaikki ongelmat.
""",
            """
## When a rule has a mistake

A typo does not pass silently. Colours may be written in Finnish, Swedish or English
(`punainen`, `röd`, `red`), but try the colour `punanen`: `lb.load_rules` raises a
`RuleError` naming the file, row and column, and `err.rows` lists every problem.
""",
        ),
        Code(
            """
wb = load_workbook(rules_file)
sheet = wb["rules"]
for row in sheet.iter_rows(min_row=2):
    if row[column["rule_id"]].value == "sc-3601":
        row[column["colour"]].value = "punanen"
typo_file = OUT / ⟪"saannot_virhe.xlsx"‖"rules_typo.xlsx"⟫
wb.save(typo_file)

try:
    lb.load_rules(typo_file)
except lb.RuleError as err:
    print(err)
    problems = err.rows
problems
"""
        ),
    ),
)

# ---------------------------------------------------------------------------
# 4. the annual report

NB4 = Notebook(
    "04_vuosiraportti_valtuustolle",
    "04_annual_report_for_council",
    (
        Md(
            """
# 4. Vuosiraportti valtuustolle

Lapsibudjetin vuosiraportti syntyy toistettavasti: sama aineisto antaa tavulleen samat
tiedostot. Tässä muistiossa tehdään Esimerkkilän raportti kuntanäkymänä (kunnan omat
menot ja sen osuus hyvinvointialueen menoista):

1. Excel-työkirja (`lb.write_workbook`);
2. taulukot CSV- ja Parquet-muodossa (`lb.write_tables`);
3. kaaviot PNG- ja SVG-kuviksi (`lb.save_chart`);
4. kaikki yhdellä komennolla: `lapsibudjetti report`.

Aineisto on SYNTEETTINEN. Tiedostot menevät kansioon `tulokset/04/`.
""",
            """
# 4. The annual report for the council

The annual child-budget report is reproducible: the same data give the same files,
byte for byte. This notebook makes Esimerkkilä's report as a municipality view (the
municipality's own spending plus its share of the wellbeing area's):

1. the Excel workbook (`lb.write_workbook`);
2. the tables as CSV and Parquet (`lb.write_tables`);
3. the charts as PNG and SVG images (`lb.save_chart`);
4. all of it in one command: `lapsibudjetti report`.

The data are SYNTHETIC. The files go into `tulokset/04/`.
""",
        ),
        setup_code("04"),
        Code(
            """
sample = lb.load_sample("synthetic")
budget = sample.child_budget()
report = lb.municipality_view(budget, "all")
report
"""
        ),
        Md(
            """
## 1. Työkirja

Välilehdet: yhteenveto, luokittain, palvelutasoittain, sektoreittain, väreittäin,
vertailu, luokittelemattomat rivit, täsmäytys ja menetelmä (säännöt perusteineen,
avaimet, väestö, asetukset). Jokaisen välilehden toisella rivillä kerrotaan, mitä
eurot ovat ja mikä on kohderyhmä.
""",
            """
## 1. The workbook

Sheets: summary, by category, by tier, by sector, by colour, comparison, unmapped
lines, reconciliation and the method (the rules with their basis, keys, population,
settings). The second row of every sheet says what the amounts are and the target
group.
""",
        ),
        Code(
            """
from openpyxl import load_workbook

workbook = lb.write_workbook(report, OUT / ⟪"lapsibudjetti_2024.xlsx"‖"child_budget_2024.xlsx"⟫, lang=⟪"fi"‖"en"⟫)
sheets = load_workbook(workbook, read_only=True).sheetnames
print(workbook)
sheets
"""
        ),
        Code(
            """
# ⟪yhteenvetovälilehti: rivit 1–3 ovat otsikko ja selitteet, rivillä 5 sarakeotsikot‖the summary sheet: rows 1–3 are the title and notes, row 5 the column headers⟫
first = load_workbook(workbook, read_only=True)[sheets[0]]
for row in first.iter_rows(min_row=1, max_row=3, max_col=1, values_only=True):
    print(row[0])
pd.read_excel(workbook, sheet_name=sheets[0], header=4).head(4)
"""
        ),
        Md(
            """
## 2. Taulukot CSV- ja Parquet-muodossa

Jatkokäsittelyyn (Power BI, R, tietokanta). `dialect="fi"`: `;` ja desimaalipilkku,
aukeaa suoraan suomalaisessa Excelissä; `dialect="plain"`: `,` ja desimaalipiste.
Sarakenimet ovat englanniksi ja pysyvät samoina vuodesta toiseen.
""",
            """
## 2. The tables as CSV and Parquet

For further work (Power BI, R, a database). `dialect="fi"`: `;` and decimal comma,
opens directly in Finnish Excel; `dialect="plain"`: `,` and decimal point. The
column names are English and stay the same from year to year.
""",
        ),
        Code(
            """
tables = lb.write_tables(report, OUT / ⟪"taulukot"‖"tables"⟫, dialect=⟪"fi"‖"plain"⟫, lang=⟪"fi"‖"en"⟫)
print(len(tables), ⟪"tiedostoa, esimerkiksi:"‖"files, for example:"⟫, [p.name for p in tables[:6]])
summary = pd.read_parquet(OUT / ⟪"taulukot"‖"tables"⟫ / "summary.parquet")
summary[["org_code", "org_name", "year", "phase", "child_euros", "children", "euros_per_child", "measure"]].head()
"""
        ),
        Md(
            """
## 3. Kaaviot

Kaaviot ovat dian kokoisia (16:9), värisokeille ja harmaasävytulosteelle sopivia, ja
tekstit ovat valitulla kielellä. `lb.save_chart` tallentaa ne toistettavasti.
""",
            """
## 3. The charts

The charts are slide-sized (16:9), readable for colour-blind readers and in
greyscale, with texts in the chosen language. `lb.save_chart` saves them
reproducibly.
""",
        ),
        Code(
            """
charts = OUT / ⟪"kaaviot"‖"charts"⟫
charts.mkdir(exist_ok=True)
LANG = ⟪"fi"‖"en"⟫

ax = lb.plot_sisote_split(report, org_code="X01", lang=LANG)
saved = lb.save_chart(ax, charts / "sisote_split.png")
"""
        ),
        Code(
            """
ax = lb.plot_per_child(report, lang=LANG)
saved = lb.save_chart(ax, charts / "per_child.svg")
"""
        ),
        Code(
            """
ax = lb.plot_child_protection_balance(report, lang=LANG)
saved = lb.save_chart(ax, charts / "child_protection_balance.png")
print(sorted(p.name for p in charts.iterdir()))
"""
        ),
        Md(
            """
Vuodesta 2023 kuntien käyrät yhtyvät: väestöavaimella jokainen kunta saa alueen
lastensuojelusta saman osuuden kuin lapsistakin, joten suhdeluvut ovat alueen
suhdelukuja. Kuntakohtaiset erot näkyvät vasta omalla avaimella (asiakkaat
kotikunnittain, ks. muistio 2). Kerro tämä valtuustolle kaavion yhteydessä.
""",
            """
From 2023 the municipalities' lines meet: with the population key every
municipality gets the same share of the area's child protection as of its children,
so the ratios are the area's ratios. Differences between municipalities show only
with a key of your own (customers by home municipality, see notebook 2). Tell the
council so next to the chart.
""",
        ),
        Md(
            """
## 4. Kaikki yhdellä komennolla

Komentorivillä (pääte, PowerShell) sama raportti syntyy komennolla

```
lapsibudjetti report --ledger tp2024_kunta.xlsx --ledger tp2024_hyvinvointialue.csv --rules saannot.xlsx --out lapsibudjetti-2024
```

Ilman `--ledger`-tiedostoja komento käyttää esimerkkiaineistoa. Komento ja muistio
tekevät saman raportin samalla funktiolla, `lb.report(...)`: se kirjoittaa työkirjan,
taulukot ja kaaviot kansioon ja palauttaa, mitä kirjoitti. Työkirja ja taulukot
näyttävät kunnat ja hyvinvointialueen erikseen, kuten kirjanpidoissa; kun mukana on
alueen kirjanpito, sote-jaon kaavio ja (hintaindeksillä) muutokset vuodesta toiseen
lasketaan kuntanäkymistä.
""",
            """
## 4. All of it in one command

On the command line (a terminal, PowerShell) the same report comes from

```
lapsibudjetti report --ledger tp2024_municipality.xlsx --ledger tp2024_wellbeing_area.csv --rules rules.xlsx --out child-budget-2024
```

Without `--ledger` files the command uses the sample. The command and this notebook
make the same report with the same function, `lb.report(...)`: it writes the workbook,
the tables and the charts into a folder and returns what it wrote. The workbook and
tables show the municipalities and the wellbeing area separately, as booked; when the
area's ledger is among the inputs, the si-sote chart and (with a price index) the
changes from year to year come from the municipality views.
""",
        ),
        Code(
            """
sample = lb.load_sample("synthetic")
written = lb.report(sample.child_budget(), OUT / ⟪"raportti"‖"report"⟫, lang=LANG, price_index=sample.price_index,
                    registry=sample.registry, population=sample.population)
print(written.workbook)
print(len(written.tables), ⟪"taulukkoa"‖"tables"⟫, len(written.charts), ⟪"kaaviotiedostoa"‖"chart files"⟫)
"""
        ),
        Code(
            """
sorted(str(p.relative_to(OUT)) for p in (OUT / ⟪"raportti"‖"report"⟫).rglob("*") if p.is_file())[:12]
"""
        ),
        Md(
            """
Ennen raporttia kannattaa tarkistaa omat tiedostot: `lapsibudjetti validate --ledger
... --rules ...` lukee kaiken, listaa jokaisen ongelman (tiedosto, rivi, sarake) eikä
kirjoita mitään. Muut valitsimet: `lapsibudjetti report --help` ja
`docs/user-guide.md`.
""",
            """
Before the report, check your own files: `lapsibudjetti validate --ledger ...
--rules ...` reads everything, lists every problem (file, row, column) and writes
nothing. Other options: `lapsibudjetti report --help` and `docs/user-guide.md`.
""",
        ),
    ),
)


# ---------------------------------------------------------------------------
# 5. the child impact of a decision

NB5 = Notebook(
    "05_paatoksen_vaikutus_lapsiin",
    "05_child_impact_of_a_decision",
    (
        Md(
            """
# 5. Päätöksen vaikutus lapsiin: mitä jos siirrämme miljoonan?

LAPE-ohjelman kysymys päättäjälle: **mitä tapahtuisi, jos siirtäisimme 1 M€
lastensuojelun sijaishuollosta perhetyöhön?** Muuttuisivatko lapsiin kohdistuvat
eurot, ehkäisevien ja korjaavien osuudet ja eurot lasta kohden?

Skenaario on taulukko muutoksia (`move` = siirto, `add` = lisäys). Kirjasto lisää
ne kirjanpidon riveiksi, luokittelee ne kuten muutkin rivit ja vertaa jokaista
tunnuslukua ennen ja jälkeen. Lopuksi katsotaan, kuinka paljon korjaavien
osuudesta on kohdistusavaimen valinta (herkkyys). Aineisto on SYNTEETTINEN.
""",
            """
# 5. The child impact of a decision: what if we move a million?

The LAPE question to a decision-maker: **what would happen if we moved 1 M€ from
child-protection placements to family work?** Would the child euros, the
preventive and corrective shares and the euros per child change?

A scenario is a table of changes (`move`, `add`). The library adds them as
ledger lines, classifies them like any line and compares every headline figure
before and after. Finally we look at how much of the corrective share is the
choice of allocation key (sensitivity). The data are SYNTHETIC.
""",
        ),
        setup_code("05"),
        Code(
            """
sample = lb.load_sample("synthetic")
budget = sample.child_budget()
budget.summary().query("year == 2024 and phase == 'actual'")[["org_code", "child_euros", "preventive_share", "corrective_share"]]
"""
        ),
        Md(
            """
## Muutos: 1 M€ sijaishuollosta perhetyöhön vuonna 2024

Hyvinvointialue (X1) järjestää sosiaalipalvelut vuodesta 2023, joten muutos tehdään
sen kirjanpitoon.
""",
            """
## The change: 1 M€ from placements to family work in 2024

The wellbeing services county (X1) runs the social services from 2023, so the
change goes into its ledger.
""",
        ),
        Code(
            """
changes = pd.DataFrame({
    "action": ["move"], "org_code": ["X1"], "year": [2024], "phase": ["actual"],
    "from_category": ["child_protection_placements"], "to_category": ["family_services"],
    "euros": [1_000_000.0],
})
s = budget.scenario(changes)
cols = ["org_code", "year", "phase", "child_euros_before", "child_euros_after", "corrective_share_before",
        "corrective_share_after", "corrective_share_difference"]
s.comparison.query("org_code == 'X1' and year == 2024 and phase == 'actual'")[cols]
"""
        ),
        Md(
            """
Siirto säilyttää eurot: lapsiin kohdistuvat eurot eivät muutu, mutta korjaavien
osuus laskee täsmälleen 1 M€ / lapsiin kohdistuvat eurot. Tarkistus:
""",
            """
A move conserves euros: the child euros do not change, but the corrective share
falls by exactly 1 M€ / child euros. A check:
""",
        ),
        Code(
            """
row = s.comparison.query("org_code == 'X1' and year == 2024 and phase == 'actual'").iloc[0]
assert abs(row["child_euros_difference"]) < 0.005
assert abs(row["corrective_share_difference"] + 1_000_000 / row["child_euros_before"]) < 1e-12
bool(s.after.reconciliation["ok"].all())
"""
        ),
        Md(
            """
## Mitä kunnat näkevät?

Kuntanäkymässä alueen eurot jaetaan jäsenkunnille. Sama muutos näkyy kummankin
kunnan korjaavien osuudessa:
""",
            """
## What do the municipalities see?

In the municipality view the county's euros are shared among its members. The
same change shows in both municipalities' corrective shares:
""",
        ),
        Code(
            """
before = lb.municipality_view(budget, ["X01", "X02"]).summary().query("year == 2024 and phase == 'actual'")
after = lb.municipality_view(s.after, ["X01", "X02"]).summary().query("year == 2024 and phase == 'actual'")
pd.DataFrame({"org_code": before["org_code"].astype(str).to_numpy(),
              "corrective_share_before": before["corrective_share"].to_numpy(),
              "corrective_share_after": after["corrective_share"].to_numpy()})
"""
        ),
        Code(
            """
ax = lb.plot_scenario(s, lang=⟪"fi"‖"en"⟫)
lb.save_chart(ax, OUT / "skenaario.png")
"""
        ),
        Md(
            """
## Herkkyys: kuinka paljon on avaimen valintaa?

Terveydenhuollon lapsiosuus on arvio. Oletuksena se on väestöosuus painotettuna
terveydenhuollon perushinnoilla iän mukaan; `population_keys` käyttää pelkkää
väestöosuutta (kuten aiemmat raportit). Ero kertoo, kuinka suuri osa korjaavien
osuudesta on kohdistusvalinta eikä päätös.
""",
            """
## Sensitivity: how much is the choice of key?

The child share of health care is an estimate. By default it is the population
share weighted by the health-care base prices by age; `population_keys` uses the
plain population share (as earlier reports did). The difference is how much of
the corrective share is an allocation choice rather than a decision.
""",
        ),
        Code(
            """
t = budget.sensitivity()
t.query("org_type == 'all' and year == 2024 and phase == 'actual'")[
    ["profile", "child_euros", "preventive_share", "corrective_share", "corrective_keyed_share"]]
"""
        ),
        Code(
            """
# ⟪skenaarion työkirja ja kaavio tiedostoiksi (sama kuin: lapsibudjetti scenario muutokset.csv)‖the scenario's workbook and chart as files (the same as: lapsibudjetti scenario changes.csv)⟫
lb.write_scenario(s, OUT, lang=⟪"fi"‖"en"⟫)
"""
        ),
    ),
)

NOTEBOOKS: tuple[Notebook, ...] = (NB1, NB2, NB3, NB4, NB5)


def build(nb: Notebook, lang: str) -> nbformat.NotebookNode:
    """One language version of a notebook, with deterministic cell ids and no outputs."""
    name = nb.fi_name if lang == "fi" else nb.en_name
    cells = []
    for k, cell in enumerate(nb.cells):
        if isinstance(cell, Md):
            c = new_markdown_cell(_clean(cell.fi if lang == "fi" else cell.en))
        else:
            c = new_code_cell(_clean(_pick(cell.source, lang)))
        c["id"] = f"{name[:2]}-{lang}-{k:02d}"
        cells.append(c)
    notebook = new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(notebook)
    return notebook


def render(nb: Notebook, lang: str) -> tuple[str, str]:
    """File name and text of one notebook."""
    name = (nb.fi_name if lang == "fi" else nb.en_name) + ".ipynb"
    return name, nbformat.writes(build(nb, lang)) + "\n"


def all_notebooks() -> dict[str, str]:
    """Every notebook file name → its text, Finnish first."""
    out: dict[str, str] = {}
    for nb in NOTEBOOKS:
        for lang in LANGS:
            name, text = render(nb, lang)
            out[name] = text
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed notebooks instead of writing")
    parser.add_argument("--folder", type=Path, default=FOLDER, help="where the notebooks are (default: notebooks/)")
    args = parser.parse_args(argv)
    differ = []
    for name, text in all_notebooks().items():
        path = args.folder / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differ.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    if differ:
        print(f"{len(differ)} notebook(s) differ from scripts/make_notebooks.py: {', '.join(differ)}; run it again", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the workshop notebooks in ``notebooks/`` (Finnish, with English and Swedish twins).

Each notebook is written here once, with the Finnish, English and Swedish
text side by side, so the languages cannot drift apart: a markdown cell is a
``(fi, en, sv)`` triple, and a code cell is one source in which ``⟪suomeksi‖in
English‖på svenska⟫`` picks the comment, file name or value of each language.
Every notebook sets its language once (``lb.set_lang``): the cards, tables and
charts follow it. The
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
LANGS = ("fi", "en", "sv")
_PICK = re.compile(r"⟪(.*?)‖(.*?)‖(.*?)⟫", re.DOTALL)


@dataclass(frozen=True)
class Md:
    fi: str
    en: str
    sv: str


@dataclass(frozen=True)
class Code:
    source: str


@dataclass(frozen=True)
class Notebook:
    fi_name: str
    en_name: str
    sv_name: str

    def name(self, lang: str) -> str:
        return {"fi": self.fi_name, "en": self.en_name, "sv": self.sv_name}[lang]
    cells: tuple[Md | Code, ...]


def _pick(text: str, lang: str) -> str:
    k = LANGS.index(lang)
    return _PICK.sub(lambda m: m.group(k + 1), text)


def _clean(text: str) -> str:
    return text.strip("\n").rstrip() + ""


def setup_code(folder: str) -> Code:
    """The first code cell of notebooks 2–5: imports, the language of tables and charts, the results folder."""
    return Code(
        f"""
from pathlib import Path

import pandas as pd

import lapsibudjetti as lb

LANG = ⟪"fi"‖"en"‖"sv"⟫
lb.set_lang(LANG)                                      # ⟪kortit, taulukot ja kaaviot suomeksi‖cards, tables and charts in English‖kort, tabeller och figurer på svenska⟫
pd.options.display.max_columns = 30
pd.options.display.width = 200

# ⟪kaikki tiedostot menevät tähän kansioon (tulokset = results)‖every file goes into this folder (tulokset = results)‖alla filer hamnar i den här mappen (tulokset = resultat)⟫
OUT = Path("tulokset") / "{folder}"
OUT.mkdir(parents=True, exist_ok=True)
"""
    )


# ---------------------------------------------------------------------------
# 1. first child budget

NB1 = Notebook(
    "01_ensimmainen_lapsibudjetti",
    "01_first_child_budget",
    "01_forsta_barnbudgeten",
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
            """
# 1. Din första barnbudget på tio rader

Den här anteckningsboken räknar ut en barnbudget: hur många euro som når barn,
unga och barnfamiljer, genom vilka tjänster, och om de kommer i tid (allmänna
tjänster och tidigt stöd) eller sent (korrigerande tjänster).

**Materialet är SYNTETISKT**: den fiktiva kommunen Exempelby (Esimerkkilä, X01),
grannen Modellby (Mallila, X02) och deras välfärdsområde X1, budgetar (TA) och
bokslut (TP) 2021–2024. Tjänsteklasserna och kontona är verkliga, euron påhittade.

Kör cellerna uppifrån och ned (*Shift + Enter*). Anteckningsboken skriver filer
bara i mappen `tulokset/` (resultat). Finsk version:
`01_ensimmainen_lapsibudjetti.ipynb`, engelsk version: `01_first_child_budget.ipynb`.
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
            """
## Tio rader

Vi laddar exempelmaterialet, räknar ut barnbudgeten med de nationella
standardreglerna och tittar på resultatet: sammandraget, nyckeltalen, euron per
tjänstegrupp och en figur.
""",
        ),
        Code(
            """
import lapsibudjetti as lb

LANG = ⟪"fi"‖"en"‖"sv"⟫
lb.set_lang(LANG)                                      # ⟪kortit, taulukot ja kaaviot suomeksi‖cards, tables and charts in English‖kort, tabeller och figurer på svenska⟫
sample = lb.load_sample("synthetic")                   # ⟪Esimerkkilä, Mallila ja niiden hyvinvointialue‖Esimerkkilä, Mallila and their wellbeing area‖Exempelby, Modellby och deras välfärdsområde⟫
ledgers = list(sample.ledgers.values())                # ⟪kolme kirjanpitoa: X01, X02, X1‖three ledgers: X01, X02, X1‖tre bokföringar: X01, X02, X1⟫
budget = lb.child_budget(
    ledgers,
    population=sample.population,                      # ⟪asukkaat iän mukaan (väestöosuudet, euroa lasta kohden)‖residents by age (population shares, euros per child)‖invånare efter ålder (befolkningsandelar, euro per barn)⟫
    keys=sample.keys,                                  # ⟪omat jakoavaimet, esim. lukion alle 18-vuotiaat opiskelijat‖own keys, e.g. upper-secondary students under 18‖egna nycklar, t.ex. gymnasiestuderande under 18 år⟫
    registry=sample.registry,                          # ⟪kuvitteelliset organisaatiot nimineen‖the fictional organisations and their names‖de fiktiva organisationerna och deras namn⟫
    measure="net cost (expenses − revenue)",           # ⟪mitä eurot ovat: näkyy taulukoissa ja kaavioissa‖what the amounts are: shown on tables and charts‖vad beloppen är: syns i tabeller och figurer⟫
)
budget
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
ja tärkeimmät sarakkeet, suomenkielisin otsikoin (`lb.styled`):
""",
            """
The overview tells three things at once:

- **all spending and the child-targeted euros** (green lines in full, the key's
  share of yellow lines);
- **reconciliation**: every input euro is either classified or listed as
  unmapped, and the totals agree to the cent;
- the largest **categories** in child-targeted euros.

The metrics per organisation and year (`summary()`); here the actuals only and the
main columns, with headings for reading (`lb.styled`):
""",
            """
Sammandraget visar genast tre saker:

- **alla utgifter och de barnriktade euron** (gröna rader helt, av gula rader
  fördelningsnyckelns andel);
- **avstämning**: varje euro i indata är antingen klassificerad eller listad som
  oklassificerad (`unmapped`), och summorna stämmer på centen;
- de största **tjänstegrupperna** i barnriktade euro.

Nyckeltalen per organisation och år (`summary()`); här bara boksluten och de
viktigaste kolumnerna, med rubriker på svenska (`lb.styled`):
""",
        ),
        Code(
            """
summary = budget.summary()
lb.styled(summary.query("phase == 'actual'")[
    ["org_code", "year", "total_euros", "child_euros", "child_share_of_total", "children", "euros_per_child",
     "preventive_share", "corrective_share"]
])
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
            """
| kolumn i koden | betydelse |
|---|---|
| `total_euros` | alla euro i bokföringen (här nettokostnad: kostnader − intäkter) |
| `child_euros` | barnriktade euro |
| `child_share_of_total` | deras andel av alla utgifter |
| `children` | invånare 0–17 år (för ett välfärdsområde summan av medlemskommunerna) |
| `euros_per_child` | barnriktade euro per barn |
| `preventive_share` | förebyggande andel = (allmänna + tidigt stöd) ÷ barnriktade euro |
| `corrective_share` | de korrigerande tjänsternas andel |

Observera kommunernas siffror år 2023: social- och hälsovårdstjänsterna
(barnskydd, rådgivning, skolhälsovård …) flyttades 1.1.2023 till välfärdsområdet
och finns från och med då i områdets bokföring. Anteckningsbok 2 för samman
kommunens och områdets siffror.
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
            """
## Euro per tjänstegrupp

`by("category")` ger de barnriktade euron per tjänstegrupp (`euros` = alla euro i
gruppen, `child_euros` = den barnriktade delen). Här Exempelbys bokslut 2022:
""",
        ),
        Code(
            """
categories = budget.by("category", lang=LANG)
lb.styled(categories.query("org_code == 'X01' and year == 2022 and phase == 'actual'")[["label", "euros", "child_euros", "lines"]])
"""
        ),
        Md(
            """
Sama palvelutasoittain (`tier`) ja liikennevalon värin mukaan (`colour`):
""",
            """
The same by service tier (`tier`) and by traffic-light colour (`colour`):
""",
            """
Samma per tjänstenivå (`tier`) och enligt trafikljusets färg (`colour`):
""",
        ),
        Code(
            """
tiers = budget.by("tier", lang=LANG).dropna(subset=["tier"])   # ⟪punaisilla riveillä ei ole palvelutasoa‖red lines have no tier‖röda rader har ingen tjänstenivå⟫
lb.styled(tiers.query("year == 2024 and phase == 'actual'")[["org_code", "label", "child_euros"]])
"""
        ),
        Code(
            """
lb.styled(budget.by("colour").query("year == 2024 and phase == 'actual'")[["org_code", "label", "euros", "child_euros"]])
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
            """
## En figur

Barnriktade euro per tjänstenivå år 2024 (bokslut). Kommunernas euro är mest
allmänna tjänster (småbarnspedagogik, skola), välfärdsområdets mest korrigerande
(vård utom hemmet, specialiserad sjukvård).
""",
        ),
        Code(
            """
ax = lb.plot_tiers(budget, lang=LANG)
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
            """
## Varifrån kommer en siffra? Rader och regler

Varje bokföringsrad får en regel (`rule_id`), en färg, en tjänstenivå, en sektor
och en tjänstegrupp. På gula rader kommer barnandelen (`child_share`) från en
fördelningsnyckel (`key_used`): för bibliotek andelen invånare 0–17 år, för
gymnasiet andelen studerande under 18 år.
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
            """
Oklassificerade rader försvinner aldrig: de finns i `unmapped` med orsaken. I det
här materialet träffar varje rad en regel, så tabellen är tom, och avstämningen
visar skillnaden 0,00 € för varje organisation, år och skede:
""",
        ),
        Code(
            """
print(⟪"luokittelemattomia rivejä:"‖"unmapped lines:"‖"oklassificerade rader:"⟫, len(budget.unmapped))
budget.table("reconciliation")
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
            """
## Din egen bokföring

Läs din egen fil med `lb.read_ledger`. Den förstår finländska exporter:
avgränsaren `;`, decimalkomma, tusentalsavgränsare, namnrader ovanför
rubrikraden och finska eller svenska kolumnrubriker. Exempelmaterialets CSV-fil
är just sådan (se dess två första rader). De fiktiva organisationerna är kända från
exemplets register (`registry=`); en verklig kommuns fil behöver det inte.
""",
        ),
        Code(
            """
path = lb.sample_path("synthetic/SYNTHETIC_ledger_X01_esimerkkila.csv")
print(path.read_text(encoding="utf-8-sig").splitlines()[:3])

ledger = lb.read_ledger(path, registry=sample.registry)
print(ledger.attrs)                                    # ⟪merkistö, erotin ja otsikkorivi‖encoding, separator and header row‖teckenkodning, avgränsare och rubrikrad⟫
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
            """
Resultatet är den kanoniska bokföringen: varje rad behåller sin fil och sitt
radnummer (`source_file`, `source_row`), så varje euro kan spåras till sin rad.

## Härnäst

- `02_over_sote_gransen.ipynb`: kommunen och välfärdsområdet tillsammans, en
  tidsserie över 2023 och en jämförelse med medianen;
- `03_regler_i_excel.ipynb`: ändra en regel i Excel och se hur resultatet ändras;
- `04_arsrapport_till_fullmaktige.ipynb`: arbetsboken, tabellerna och figurerna med
  ett kommando.

Användarhandledning: `docs/user-guide.md`; definitioner och antaganden: `docs/method.md`.
""",
        ),
    ),
)

# ---------------------------------------------------------------------------
# 2. across the si-sote boundary

NB2 = Notebook(
    "02_sote_rajan_yli",
    "02_across_the_sisote_boundary",
    "02_over_sote_gransen",
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
            """
# 2. Över gränsen mellan bildning och social- och hälsovård

Sedan 2023 finansieras ett barns tjänster av två organisationer: kommunen
(småbarnspedagogik, skola, ungdomsarbete, kultur och idrott = **bildning**) och
välfärdsområdet (barnskydd, familjetjänster, rådgivning, skolhälsovård, psykiatri
= **social- och hälsovård**, sote). Den enas barnbudget är bara halva bilden. I den
här anteckningsboken:

1. **områdets vy**: välfärdsområdet och dess medlemskommuner tillsammans;
2. **kommunvyn**: kommunens egna utgifter och dess andel av områdets, med
   befolkningsnyckeln och med en egen nyckel;
3. en **tidsserie** 2021–2024 över brytpunkten 2022/2023;
4. en **jämförelse med medianen** (med Statistikcentralens verkliga siffror 2015–2019).

Material för 1–3: SYNTETISKT (de fiktiva Exempelby, Modellby och välfärdsområdet X1).
""",
        ),
        setup_code("02"),
        Code(
            """
sample = lb.load_sample("synthetic")
budget = sample.child_budget()                         # ⟪kaikki kolme kirjanpitoa, esimerkin väestö ja avaimet‖all three ledgers, the sample's population and keys‖alla tre bokföringar, exemplets befolkning och nycklar⟫

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
            """
Kommunernas euro per barn sjunker kraftigt år 2023 fast ingen tjänst upphörde:
social- och hälsovårdsutgifterna flyttade bara till välfärdsområdets bokföring.
En jämförbar siffra behöver båda bokföringarna.

## 1. Områdets vy: välfärdsområdet och dess kommuner

`lb.region_view` för samman raderna för området och dess medlemskommuner. Euro per
barn räknas över alla områdets barn (summan av medlemskommunernas).
""",
        ),
        Code(
            """
region = lb.region_view(budget, "X1")
lb.styled(region.summary().query("phase == 'actual'")[
    ["org_type", "org_code", "year", "child_euros", "children", "euros_per_child", "preventive_share", "corrective_share"]
])
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
            """
Vad områdets siffra består av: `composition` visar varje medlems del. Raderna
summerar till områdets siffror på centen.
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
            """
## 2. Kommunvyn med befolkningsnyckeln

`lb.municipality_view` fördelar varje rad i välfärdsområdet på alla dess
medlemskommuner, på centen. Standardnyckeln är kommunens andel av områdets invånare
0–17 år. Kommunens siffra = egna utgifter + andel av områdets utgifter.
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
            """
Nu är siffrorna jämförbara över 2023. Fördelningens kontroll: områdets euro och de
euro som fördelats på medlemskommunerna stämmer på centen (`ok`):
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
            """
## 2b. Kommunvyn med en egen nyckel

Befolkningsandelen antar att varje barn använder områdets tjänster lika mycket. I
vård utom hemmet gör de inte det. Om området har **klienter per hemkommun** är de
en bättre nyckel. Nyckeltabellen har kommunen, året, tjänsteklassen och ett värde
(`value`: klienter eller kostnader); en rad utan tjänsteklass gäller de övriga
klasserna. Här (påhittade) klienter i vård utom hemmet för klasserna 2122 och 2123
och, för de övriga klasserna, antalet invånare 0–17 år:
""",
        ),
        Code(
            """
customers = pd.DataFrame({
    "municipality_code": ["X01", "X02"] * 4,
    "year": [2023, 2023, 2024, 2024] * 2,
    "service_class": ["2122"] * 4 + ["2123"] * 4,
    "value": [40, 25, 42, 24, 10, 8, 11, 8],         # ⟪sijaishuollon asiakkaat kotikunnittain (keksitty)‖placement customers by home municipality (made up)‖klienter i vård utom hemmet per hemkommun (påhittade)⟫
})
children = (
    sample.population.by_age.query("age <= 17 and year >= 2023")
    .groupby(["org_code", "year"], as_index=False)["persons"].sum()
    .rename(columns={"org_code": "municipality_code", "persons": "value"})
    .assign(service_class="")                        # ⟪tyhjä luokka = kaikki muut luokat‖empty class = every other class‖tom klass = alla övriga klasser⟫
)
key = pd.concat([customers, children], ignore_index=True)
key
"""
        ),
        Code(
            """
by_customers = lb.municipality_view(budget, "all", key=key)

compare_keys = pd.DataFrame({
    ⟪"väestöavain"‖"population key"‖"befolkningsnyckel"⟫: municipalities.summary().set_index(["org_code", "year", "phase"])["child_euros"],
    ⟪"asiakasavain"‖"customer key"‖"klientnyckel"⟫: by_customers.summary().set_index(["org_code", "year", "phase"])["child_euros"],
}).query("year >= 2023")
compare_keys[⟪"erotus"‖"difference"‖"skillnad"⟫] = compare_keys.iloc[:, 1] - compare_keys.iloc[:, 0]
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
            """
Modellby får fler euro för vård utom hemmet med klientnyckeln, eftersom dess andel
av klienterna är större än dess andel av barnen. Kommunernas skillnader tar ut
varandra: områdets euro fördelas alltid helt. Varje andel som använts finns i
`allocation`:
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
            """
## 3. En tidsserie 2021–2024 över brytpunkten

`lb.series` bygger kommunens tidsserie: fram till 2022 kommer sote-raderna från
kommunens bokföring, från 2023 som dess andel av områdets bokföring. Kolumnen
`source` anger källan och `break` markerar året då källan byts. Med ett prisindex
(här syntetiskt) fås förändringen också reellt. Andelar och förändringar är
decimaltal i tabellerna: 0,05 = 5 %.
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
lb.styled(esimerkkila.totals.query("phase == 'actual'")[
    ["year", "child_euros", "euros_per_child", "change_pct", "real_change_pct", "preventive_share", "break"]
])
"""
        ),
        Md(
            """
Talousarvio ja toteuma rinnakkain (`actual_to_budget` = toteuma ÷ talousarvio):
""",
            """
Budget and actual side by side (`actual_to_budget` = actual ÷ budget):
""",
            """
Budget och utfall sida vid sida (`actual_to_budget` = utfall ÷ budget):
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
            """
Som figur: bildningens och social- och hälsovårdens delar av Exempelbys barnriktade
euro i kommunvyn. Från 2023 är sote-delen kommunens andel av välfärdsområdets
utgifter.
""",
        ),
        Code(
            """
ax = lb.plot_sisote_split(municipalities, org_code="X01", lang=LANG)
"""
        ),
        Code(
            """
ax = lb.plot_preventive_share(municipalities, lang=LANG)
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
            """
Observera den lodräta axeln: den börjar inte från noll, så att även små
förändringar syns. Hela skalan: `ylim=(0, 1)`.
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
            """
## 4. Jämförelse med medianen (verkliga siffror)

Det andra exempelmaterialet är **verkliga data**: Statistikcentralens
nettodriftskostnader per uppgift 2015–2019 (tabell kta_14, CC BY 4.0) för alla
kommuner i två välfärdsområden: Vanda och Kervo (urbant) och Kajanaland (landsbygd).

Åldersstrukturen finns bara för 2019, så befolkningsandelarna för 2015–2018 räknas
med 2019 års åldersstruktur skalad till varje års folkmängd. Biblioteket säger det
i en varning (nedan) och antecknar det i tabellerna i `method()`.
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
            """
`lb.compare` rangordnar kommunerna och jämför dem med medianen för alla och med
medianen för deras eget välfärdsområde (`by="area"`). `vs_group_median` är
skillnaden mot områdets median.
""",
        ),
        Code(
            """
ranking = lb.compare(real_budget, by="area", metric="euros_per_child", years=2019, lang=LANG)
lb.styled(ranking[["name", "value", "rank", "national_median", "group_name", "group_median", "vs_group_median"]].sort_values("rank"))
"""
        ),
        Code(
            """
ax = lb.plot_per_child(real_budget, year=2019, lang=LANG)
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
            """
Medianen är kommunernas median (varje kommun väger lika mycket). I små kommuner
varierar euro per barn mer: en enda placering syns i siffran.

De två områdena sida vid sida som områdesvyer:
""",
        ),
        Code(
            """
regions = lb.region_view(real_budget)
lb.styled(regions.summary()[["org_code", "year", "child_euros", "children", "euros_per_child", "preventive_share"]])
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
            """
Mer: `docs/user-guide.md` (avsnittet *Across the boundary*) och `docs/method.md`
(bytet 2022/2023 och nycklarna).
""",
        ),
    ),
)

# ---------------------------------------------------------------------------
# 3. edit the rules in Excel

NB3 = Notebook(
    "03_saannot_excelissa",
    "03_edit_rules_in_excel",
    "03_regler_i_excel",
    (
        Md(
            """
# 3. Muuta sääntöä Excelissä ja vertaa

Lapsibudjetin säännöt ovat taulukko, ei ohjelmakoodia: jokainen rivi kertoo, mitkä
kirjanpitorivit se kattaa (palveluluokka, tili, kustannuspaikka …), minkä värin,
palvelutason ja palveluryhmän ne saavat ja millä perusteella (*Peruste*).

Harjoitus:

1. kirjoita oletussäännöt suomenkieliseksi Excel-työkirjaksi;
2. muuta yksi sääntö, kuten työpajan osallistuja tekisi Excelissä: **nuorisotyö
   (3601) vihreästä punaiseksi**;
3. lue työkirja takaisin ja vertaa: `compare_rules` näyttää, mitkä säännöt
   muuttuivat ja mitkä eurot siirtyivät;
4. tarkista, että lapsiin kohdistuvat eurot muuttuivat **täsmälleen** sen säännön
   kattamien rivien verran.

Lopuksi toinen harjoitus: uusi kustannuspaikkasääntö (`K999 Selvitettävät`).
Aineisto on SYNTEETTINEN.
""",
            """
# 3. Edit a rule in Excel and compare

The child-budget rules are a table, not program code: each row says which ledger
lines it covers (service class, account, cost centre …), which colour, tier and
category they get, and on what grounds (*Basis*).

The exercise:

1. write the default rules to an Excel workbook in English;
2. change one rule as a workshop participant would in Excel: **youth work (3601)
   from green to red**;
3. read the workbook back and compare: `compare_rules` shows which rules changed
   and which euros moved;
4. check that the child-targeted euros changed by **exactly** the lines that rule
   covers.

Then a second exercise: a new cost-centre rule (`K999 Selvitettävät`, "to be
cleared"). The data are SYNTHETIC.
""",
            """
# 3. Ändra en regel i Excel och jämför

Barnbudgetens regler är en tabell, inte programkod: varje rad säger vilka
bokföringsrader den täcker (tjänsteklass, konto, kostnadsställe …), vilken färg,
tjänstenivå och tjänstegrupp de får och på vilka grunder (*Grund*).

Övningen:

1. skriv standardreglerna till en svensk Excel-arbetsbok;
2. ändra en regel som en deltagare i en workshop skulle göra i Excel:
   **ungdomsarbete (3601) från grönt till rött**;
3. läs tillbaka arbetsboken och jämför: `compare_rules` visar vilka regler som
   ändrades och vilka euro som flyttade;
4. kontrollera att de barnriktade euron ändrades med **exakt** de rader regeln
   täcker.

Till sist en andra övning: en ny regel för ett kostnadsställe (`K999
Selvitettävät`, "att utreda"). Materialet är SYNTETISKT.
""",
        ),
        setup_code("03"),
        Md(
            """
## 1. Oletussäännöt Excel-työkirjaksi

`lb.write_rules` kirjoittaa säännöt työkirjaan. Välilehdellä *Säännöt* rivillä 1
ovat suomenkieliset otsikot ja rivillä 2 sarakkeiden nimet ohjelmille; värille,
palvelutasolle, sektorille, palveluryhmälle ja avaimelle on pudotusvalikot, ja
jokainen sarake näyttää ohjeensa, kun solu valitaan. Välilehdet *Palveluryhmät*,
*Kohdistusavaimet* ja *Sarakkeet* kertovat sallitut arvot. Saman tiedoston saa
komentoriviltä: `lapsibudjetti rules --out saannot.xlsx`.
""",
            """
## 1. The default rules as an Excel workbook

`lb.write_rules` writes the rules to a workbook. On the *Rules* sheet row 1 holds
the headings and row 2 the column names for scripts; colour, tier, sector,
category and key have dropdowns, and every column shows its help when a cell is
selected. The sheets *Categories*, *Allocation keys* and *Columns* list the
valid values. The command line gives the same file:
`lapsibudjetti rules --lang en --out rules.xlsx`.
""",
            """
## 1. Standardreglerna som Excel-arbetsbok

`lb.write_rules` skriver reglerna till en arbetsbok. På bladet *Regler* finns
rubrikerna på rad 1 och kolumnnamnen för program på rad 2; färg, tjänstenivå,
sektor, tjänstegrupp och nyckel har rullgardinsmenyer, och varje kolumn visar sin
hjälp när en cell väljs. Bladen *Tjänstegrupper*, *Fördelningsnycklar* och
*Kolumner* listar de giltiga värdena. Kommandoraden ger samma fil:
`lapsibudjetti rules --lang sv --out regler.xlsx`.
""",
        ),
        Code(
            """
rules_file = OUT / ⟪"saannot.xlsx"‖"rules.xlsx"‖"regler.xlsx"⟫
lb.write_rules(lb.default_rules(), rules_file)         # ⟪istunnon kielellä (lb.set_lang)‖in the session's language (lb.set_lang)‖på sessionens språk (lb.set_lang)⟫

rules = lb.load_rules(rules_file)
rules
"""
        ),
        Md(
            """
## 2. Muutetaan sääntö kuten Excelissä

Excelissä: avaa `tulokset/03/saannot.xlsx`, suodata *Säännön tunnus* = `sc-3601`,
valitse sarakkeeseen *Väri* `punainen`, tyhjennä *Palvelutaso* (punaisella säännöllä
ei ole palvelutasoa) ja tallenna uudella nimellä. Arvot voi kirjoittaa myös ruotsiksi
tai englanniksi, isoilla tai pienillä kirjaimilla. Tässä sama tehdään
openpyxl-kirjastolla, jotta muistio toimii ilman Exceliä:
""",
            """
## 2. Change the rule as in Excel

In Excel: open `tulokset/03/rules.xlsx`, filter *Rule id* = `sc-3601`, choose `red`
in the *Colour* column, clear *Tier* (a red rule has no tier) and save under a new
name. Values may also be written in Finnish or Swedish, in any case. Here the same
is done with openpyxl so that the notebook runs without Excel:
""",
            """
## 2. Ändra regeln som i Excel

I Excel: öppna `tulokset/03/regler.xlsx`, filtrera *Regel-id* = `sc-3601`, välj
`röd` i kolumnen *Färg*, töm *Tjänstenivå* (en röd regel har ingen tjänstenivå)
och spara under ett nytt namn. Värdena kan också skrivas på finska eller
engelska, med stora eller små bokstäver. Här görs samma sak med openpyxl så att
anteckningsboken fungerar utan Excel:
""",
        ),
        Code(
            """
from openpyxl import load_workbook

wb = load_workbook(rules_file)
sheet = wb.worksheets[0]
header = [cell.value for cell in sheet[2]]             # ⟪rivi 2: sarakkeiden nimet ohjelmille‖row 2: the column names for scripts‖rad 2: kolumnnamnen för program⟫
column = {name: i for i, name in enumerate(header)}
for row in sheet.iter_rows(min_row=3):
    if row[column["rule_id"]].value == "sc-3601":
        row[column["colour"]].value = ⟪"punainen"‖"red"‖"röd"⟫
        row[column["tier"]].value = None               # ⟪punaisella ei palvelutasoa‖a red rule has no tier‖en röd regel har ingen tjänstenivå⟫
edited_file = OUT / ⟪"saannot_muokattu.xlsx"‖"rules_edited.xlsx"‖"regler_andrade.xlsx"⟫
wb.save(edited_file)
"""
        ),
        Md(
            """
## 3. Luetaan takaisin ja verrataan

`lb.load_rules` tarkistaa jokaisen rivin; virheestä tulee viesti, joka nimeää
tiedoston, rivin ja sarakkeen (kokeile alempana). `compare_rules` laskee saman
lapsibudjetin muokatuilla säännöillä ja näyttää, mitkä säännöt muuttuivat ja mitkä
eurot siirtyivät palveluryhmittäin, palvelutasoittain ja organisaatioittain.
""",
            """
## 3. Read it back and compare

`lb.load_rules` checks every row; a mistake gives a message naming the file, the
row and the column (try it below). `compare_rules` computes the same child budget
with the edited rules and shows which rules changed and which euros moved, by
category, tier and organisation.
""",
            """
## 3. Läs tillbaka och jämför

`lb.load_rules` kontrollerar varje rad; ett fel ger ett meddelande som nämner filen,
raden och kolumnen (prova längre ned). `compare_rules` räknar ut samma barnbudget
med de ändrade reglerna och visar vilka regler som ändrades och vilka euro som
flyttade, per tjänstegrupp, tjänstenivå och organisation.
""",
        ),
        Code(
            """
sample = lb.load_sample("synthetic")
before = sample.child_budget()                         # ⟪kansalliset oletussäännöt‖the national default rules‖de nationella standardreglerna⟫
diff = before.compare_rules(edited_file)               # ⟪muokattu työkirja‖the edited workbook‖den ändrade arbetsboken⟫
diff
"""
        ),
        Code(
            """
diff.table("by_organisation")
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
            """
## 4. Ändringen är exakt regelns rader

Raderna som regeln `sc-3601` täckte före ändringen (gröna, så de räknades helt som
barnriktade). Vi jämför deras summa med ändringen, i cent:
""",
        ),
        Code(
            """
covered = before.lines[before.lines["rule_id"] == "sc-3601"]
moved = diff.by_organisation["difference"].sum()
# ⟪sentteinä, jotta liukulukujen pyöristys ei sotke vertailua‖in cents, so that floating-point rounding cannot blur the comparison‖i cent, så att avrundningen av flyttal inte stör jämförelsen⟫
assert round(moved * 100) == -round(covered["child_euros"].sum() * 100)
assert diff.ok                                         # ⟪kaikki menot samat, siirrot täsmäävät‖all spending the same, the moves reconcile‖alla utgifter desamma, flyttarna stämmer⟫
print(len(covered), lb.format_euros(moved, decimals=2))
"""
        ),
        Md(
            """
Muut säännöt eivät muuttuneet: hyvinvointialueen (X1) luvut ovat samat, koska
nuorisotyö on kunnan tehtävä. Menetelmätaulukko (`method()["rules"]`) kertoo
jokaisen säännön rivimäärän ja eurot; sama taulukko on raportin työkirjassa.
Komentorivillä sama vertailu: `lapsibudjetti rules --diff default saannot_muokattu.xlsx`.
""",
            """
Nothing else changed: the wellbeing area's (X1) figures are the same, since youth
work is a municipal task. The method table (`method()["rules"]`) gives every rule's
line count and euros; the report workbook has the same table. The same comparison
on the command line: `lapsibudjetti rules --diff default rules_edited.xlsx`.
""",
            """
Inget annat ändrades: välfärdsområdets (X1) siffror är desamma, eftersom
ungdomsarbete är en kommunal uppgift. Metodtabellen (`method()["rules"]`) ger varje
regels antal rader och euro; rapportens arbetsbok har samma tabell. Samma
jämförelse på kommandoraden: `lapsibudjetti rules --diff default regler_andrade.xlsx`.
""",
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
            """
## Andra övningen: en regel för ett kostnadsställe

Exempelbys grundläggande utbildning har kostnadsstället `K999 Selvitettävät`:
poster som ännu inte utretts. Standardreglerna räknar dem som grundläggande
utbildning (3051, grön). Lägg till en rad i arbetsboken som håller dem utanför
barnbudgeten tills de är utredda. I kolumnen för kostnadsställe betyder `*` vilken
text som helst.

Regeln för kostnadsstället vinner över regeln för tjänsteklassen, eftersom ett
kostnadsställe är en snävare avgränsning (se `docs/user-guide.md`, *precedence*).
""",
        ),
        Code(
            """
wb = load_workbook(rules_file)                         # ⟪taas oletussäännöistä‖from the default rules again‖från standardreglerna igen⟫
sheet = wb.worksheets[0]
new_rule = {
    "rule_id": "kp-k999",
    "cost_centre": "K999*",
    "colour": ⟪"punainen"‖"red"‖"röd"⟫,
    "sector": "sivistys",
    "category": "not_child_targeted",
    "basis": ⟪"paikallinen päätös: selvitettävät erät eivät ole lapsibudjetissa ennen selvitystä"‖"local decision: items to be cleared stay out of the child budget until cleared"‖"lokalt beslut: poster som ska utredas hålls utanför barnbudgeten tills de är utredda"⟫,
}
sheet.append([new_rule.get(name) for name in header])
k999_file = OUT / ⟪"saannot_k999.xlsx"‖"rules_k999.xlsx"‖"regler_k999.xlsx"⟫
wb.save(k999_file)

k999 = before.compare_rules(k999_file)
k999.table("by_category")
"""
        ),
        Code(
            """
cleared = before.lines[before.lines["cost_centre"].astype(str).str.startswith("K999")]
assert round(k999.by_category["difference"].sum() * 100) == -round(cleared["child_euros"].sum() * 100)
k999.rules
"""
        ),
        Md(
            """
## Kun säännössä on virhe

Kirjoitusvirhe ei mene läpi hiljaa. Värin voi kirjoittaa suomeksi, ruotsiksi tai
englanniksi (`punainen`, `röd`, `red`), mutta kokeillaan väriä `punanen`:
`lb.load_rules` nostaa `RuleError`-virheen, joka nimeää tiedoston, rivin ja sarakkeen,
ja `err.rows` listaa kaikki ongelmat. Excelin nollat: jos koodi 091 on tallentunut
lukuna 91, kirjasto täydentää sen organisaatiotyypin mukaan ja kertoo rivin.
""",
            """
## When a rule has a mistake

A typo does not pass silently. Colours may be written in Finnish, Swedish or English
(`punainen`, `röd`, `red`), but try the colour `punanen`: `lb.load_rules` raises a
`RuleError` naming the file, row and column, and `err.rows` lists every problem.
Excel's zeros: when the code 091 was stored as the number 91, the library pads it
by the organisation type and names the row.
""",
            """
## När en regel har ett fel

Ett skrivfel slinker inte igenom. Färgen kan skrivas på finska, svenska eller
engelska (`punainen`, `röd`, `red`), men prova färgen `punanen`: `lb.load_rules`
ger ett `RuleError` som nämner filen, raden och kolumnen, och `err.rows` listar
alla problem. Excels nollor: om koden 091 har sparats som talet 91 fyller biblioteket
i den enligt organisationstypen och nämner raden.
""",
        ),
        Code(
            """
wb = load_workbook(rules_file)
sheet = wb.worksheets[0]
for row in sheet.iter_rows(min_row=3):
    if row[column["rule_id"]].value == "sc-3601":
        row[column["colour"]].value = "punanen"
typo_file = OUT / ⟪"saannot_virhe.xlsx"‖"rules_typo.xlsx"‖"regler_fel.xlsx"⟫
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
    "04_arsrapport_till_fullmaktige",
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
            """
# 4. Årsrapporten till fullmäktige

Barnbudgetens årsrapport är reproducerbar: samma material ger samma filer, byte för
byte. I den här anteckningsboken görs Exempelbys rapport som kommunvy (kommunens
egna utgifter och dess andel av välfärdsområdets utgifter):

1. Excel-arbetsboken (`lb.write_workbook`);
2. tabellerna som CSV och Parquet (`lb.write_tables`);
3. figurerna som PNG- och SVG-bilder (`lb.save_chart`);
4. allt med ett kommando: `lapsibudjetti report`.

Materialet är SYNTETISKT. Filerna hamnar i mappen `tulokset/04/`.
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
            """
## 1. Arbetsboken

Blad: sammandrag, per tjänstegrupp, per tjänstenivå, per sektor, per färg,
jämförelse, oklassificerade rader, avstämning och metoden (reglerna med grunder,
nycklar, befolkning, inställningar). På varje blads andra rad står vad beloppen är
och vilken målgruppen är.
""",
        ),
        Code(
            """
from openpyxl import load_workbook

workbook = lb.write_workbook(report, OUT / ⟪"lapsibudjetti_2024.xlsx"‖"child_budget_2024.xlsx"‖"barnbudget_2024.xlsx"⟫, lang=LANG)
sheets = load_workbook(workbook, read_only=True).sheetnames
print(workbook)
sheets
"""
        ),
        Code(
            """
# ⟪yhteenvetovälilehti: rivit 1–3 ovat otsikko ja selitteet, rivillä 5 sarakeotsikot‖the summary sheet: rows 1–3 are the title and notes, row 5 the column headers‖sammandragsbladet: rad 1–3 är rubrik och förklaringar, rad 5 kolumnrubrikerna⟫
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
            """
## 2. Tabellerna som CSV och Parquet

För vidare bearbetning (Power BI, R, en databas). `dialect="fi"`: `;` och
decimalkomma, öppnas direkt i ett finskt eller svenskt Excel; `dialect="plain"`: `,`
och decimalpunkt. Kolumnnamnen är på engelska och förblir desamma från år till år.
""",
        ),
        Code(
            """
tables = lb.write_tables(report, OUT / ⟪"taulukot"‖"tables"‖"tabeller"⟫, dialect=⟪"fi"‖"plain"‖"fi"⟫, lang=LANG)
print(len(tables), ⟪"tiedostoa, esimerkiksi:"‖"files, for example:"‖"filer, till exempel:"⟫, [p.name for p in tables[:6]])
summary = pd.read_parquet(OUT / ⟪"taulukot"‖"tables"‖"tabeller"⟫ / "summary.parquet")
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
            """
## 3. Figurerna

Figurerna har bildformat (16:9), passar färgblinda läsare och gråskaleutskrift, och
texterna är på det valda språket. `lb.save_chart` sparar dem reproducerbart.
""",
        ),
        Code(
            """
charts = OUT / ⟪"kaaviot"‖"charts"‖"figurer"⟫
charts.mkdir(exist_ok=True)

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
            """
Från 2023 möts kommunernas linjer: med befolkningsnyckeln får varje kommun samma
andel av områdets barnskydd som av dess barn, så kvoterna är områdets kvoter.
Skillnader mellan kommunerna syns först med en egen nyckel (klienter per hemkommun,
se anteckningsbok 2). Berätta det för fullmäktige i anslutning till figuren.
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
taulukot ja kaaviot kansioon ja palauttaa, mitä kirjoitti.
Kun mukana ovat kunnat ja niiden hyvinvointialue, raportti näyttää kuntanäkymät;
kirjanpidot sellaisinaan ovat työkirjan viimeisellä välilehdellä.
""",
            """
## 4. All of it in one command

On the command line (a terminal, PowerShell) the same report comes from

```
lapsibudjetti report --ledger tp2024_municipality.xlsx --ledger tp2024_wellbeing_area.csv --rules rules.xlsx --out child-budget-2024
```

Without `--ledger` files the command uses the sample. The command and this notebook
make the same report with the same function, `lb.report(...)`: it writes the workbook,
the tables and the charts into a folder and returns what it wrote. When municipalities
and their wellbeing area are among the inputs, the report shows the municipality
views; the ledgers as booked are on the workbook's last sheet.
""",
            """
## 4. Allt med ett kommando

På kommandoraden (en terminal, PowerShell) fås samma rapport med

```
lapsibudjetti report --ledger bs2024_kommun.xlsx --ledger bs2024_valfardsomrade.csv --rules regler.xlsx --lang sv --out barnbudget-2024
```

Utan `--ledger`-filer använder kommandot exempelmaterialet. Kommandot och den här
anteckningsboken gör samma rapport med samma funktion, `lb.report(...)`: den skriver
arbetsboken, tabellerna och figurerna i en mapp och returnerar vad den skrev. När
kommuner och deras välfärdsområde finns med visar rapporten kommunvyerna;
bokföringarna som de är finns på arbetsbokens sista blad.
""",
        ),
        Code(
            """
sample = lb.load_sample("synthetic")
written = lb.report(sample.child_budget(), OUT / ⟪"raportti"‖"report"‖"rapport"⟫, lang=LANG, price_index=sample.price_index,
                    registry=sample.registry, population=sample.population)
print(written.workbook)
print(len(written.tables), ⟪"taulukkoa"‖"tables"‖"tabeller"⟫, len(written.charts), ⟪"kaaviotiedostoa"‖"chart files"‖"figurfiler"⟫)
"""
        ),
        Code(
            """
sorted(str(p.relative_to(OUT)) for p in (OUT / ⟪"raportti"‖"report"‖"rapport"⟫).rglob("*") if p.is_file())[:12]
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
            """
Kontrollera dina egna filer före rapporten: `lapsibudjetti validate --ledger ...
--rules ...` läser allt, listar varje problem (fil, rad, kolumn) och skriver
ingenting. Övriga val: `lapsibudjetti report --help` och `docs/user-guide.md`.
""",
        ),
    ),
)


# ---------------------------------------------------------------------------
# 5. the child impact of a decision

NB5 = Notebook(
    "05_paatoksen_vaikutus_lapsiin",
    "05_child_impact_of_a_decision",
    "05_beslutets_konsekvenser_for_barn",
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
            """
# 5. Ett besluts konsekvenser för barn: tänk om vi flyttar en miljon?

LAPE-programmets fråga till beslutsfattaren: **vad skulle hända om vi flyttade
1 M€ från vård utom hemmet inom barnskyddet till familjearbete?** Skulle de
barnriktade euron, de förebyggande och korrigerande andelarna och euro per barn
ändras?

Ett scenario är en tabell med ändringar (`move` = flytt, `add` = tillägg).
Biblioteket lägger till dem som bokföringsrader, klassificerar dem som andra rader
och jämför varje nyckeltal före och efter. Till sist ser vi hur mycket av den
korrigerande andelen som är ett val av fördelningsnyckel (känslighet). Materialet
är SYNTETISKT.
""",
        ),
        setup_code("05"),
        Code(
            """
sample = lb.load_sample("synthetic")
budget = sample.child_budget()
lb.styled(budget.summary().query("year == 2024 and phase == 'actual'")[["org_code", "child_euros", "preventive_share", "corrective_share"]])
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
            """
## Ändringen: 1 M€ från vård utom hemmet till familjearbete år 2024

Välfärdsområdet (X1) ordnar socialtjänsterna från 2023, så ändringen görs i dess
bokföring.
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
lb.styled(s.comparison.query("org_code == 'X1' and year == 2024 and phase == 'actual'")[cols])
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
            """
En flytt bevarar euron: de barnriktade euron ändras inte, men den korrigerande
andelen sjunker med exakt 1 M€ / barnriktade euro. En kontroll:
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
            """
## Vad ser kommunerna?

I kommunvyn fördelas områdets euro på medlemskommunerna. Samma ändring syns i
båda kommunernas korrigerande andel:
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
ax = lb.plot_scenario(s, lang=LANG)
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
            """
## Känslighet: hur mycket är valet av nyckel?

Hälso- och sjukvårdens barnandel är en uppskattning. Som standard är den
befolkningsandelen viktad med hälso- och sjukvårdens grundpriser efter ålder;
`population_keys` använder den rena befolkningsandelen (som tidigare rapporter).
Skillnaden visar hur stor del av den korrigerande andelen som är ett
fördelningsval och inte ett beslut.
""",
        ),
        Code(
            """
t = budget.sensitivity()
lb.styled(t.query("org_type == 'all' and year == 2024 and phase == 'actual'")[
    ["profile", "child_euros", "preventive_share", "corrective_share", "corrective_keyed_share"]])
"""
        ),
        Code(
            """
# ⟪skenaarion työkirja ja kaavio tiedostoiksi (sama kuin: lapsibudjetti scenario muutokset.csv)‖the scenario's workbook and chart as files (the same as: lapsibudjetti scenario changes.csv)‖scenariots arbetsbok och figur som filer (samma som: lapsibudjetti scenario andringar.csv)⟫
lb.write_scenario(s, OUT, lang=LANG)
"""
        ),
    ),
)

NOTEBOOKS: tuple[Notebook, ...] = (NB1, NB2, NB3, NB4, NB5)


def build(nb: Notebook, lang: str) -> nbformat.NotebookNode:
    """One language version of a notebook, with deterministic cell ids and no outputs."""
    name = nb.name(lang)
    cells = []
    for k, cell in enumerate(nb.cells):
        if isinstance(cell, Md):
            c = new_markdown_cell(_clean(getattr(cell, lang)))
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
    name = nb.name(lang) + ".ipynb"
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

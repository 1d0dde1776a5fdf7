"""Given names that stand for one another, in English and French: a nickname and its full form, or two
spellings of one name. Each group's first name is the form the others are read as. Folded (no accents,
lower case) like every name the matcher reads; never a surname."""

from __future__ import annotations

_GROUPS = """
william bill billy will willy liam guillaume
robert bob bobby rob robbie bert
richard dick rick ricky rich richie
james jim jimmy jamie jacques jacquot
john jack johnny jon jean jeannot
joseph joe joey jo jojo
thomas tom tommy thom
charles charlie chuck chas
edward ed eddie ted teddy ned edouard
michael mike mikey mick mickey michel
christopher chris kit christophe
nicholas nick nicky nicolas nico
alexander alex alec sandy alexandre xander
anthony tony antoine
daniel dan danny dany
david dave davey
matthew matt matty mathieu matthieu
andrew andy drew andre
benjamin ben benny benji
samuel sam sammy
patrick pat paddy
peter pete pierre pierrot
stephen steve stevie steven stephane etienne
francis frank frankie francois
frederick fred freddie frederic
gerald gerry jerry gerard
henry harry hank henri
lawrence larry laurence laurent
raymond ray raymon
ronald ron ronnie
timothy tim timmy
vincent vince vinnie
elizabeth liz lizzie beth betty bess eliza elisabeth babette lisa
margaret maggie meg peggy marguerite margot
katherine kate katie kathy cathy catherine kat kathleen
jennifer jen jenny
rebecca becky becca
susan sue susie suzanne suzie
deborah debbie deb debra
patricia pat patty trish
victoria vicky tori
alexandra alex sandra sasha lexie
christine chris chrissy christina kristina
jessica jess jessie
abigail abby gail
dorothy dot dottie dorothee
eleanor ellie nora elle eleonore
josephine jo josie josee
mary marie molly mae mia
anne ann annie anna nancy
isabelle isabel izzy bella isabella
genevieve gen vivi
jacqueline jackie jacquie
madeleine maddie madeline madelyn
theodore theo ted teddy
""".strip()


def _index() -> dict[str, str]:
    canonical: dict[str, str] = {}
    for line in _GROUPS.splitlines():
        names = line.split()
        for name in names:
            canonical.setdefault(name, names[0])  # a name in two groups keeps its first
    return canonical


FORMAL = _index()


def formal(name: str) -> str:
    """The full form a given name stands for (`bill` → `william`), or the name itself."""
    return FORMAL.get(name, name)

"""The matching layer: decisions over a directory (assessment, cover, match, capacity, gaps).

Module map, by job (the files stay flat in this package; the groups are these):

Matching a person
    ``assessment`` the assessment and the words officers type; ``eligibility`` who a pathway
    accepts; ``reach`` how a pathway reaches a person; ``index`` one compiled, frozen index of
    a directory snapshot; ``candidates`` eligible, in reach, has a place; ``fit`` each
    candidate's fit points (specialism, L4 for urgent needs, women's and youth provision);
    ``grouping`` what the solver needs of them; ``cover`` the exact solver, its checker and the
    greedy peer; ``match`` the :class:`~matching.match.Matcher` that runs those steps and
    explains the plan; ``conditional`` a conditional caution's conditions; ``plan`` and
    ``explain`` the answer and its words; ``batch`` and ``cohort`` many people.

Capacity and the ledger
    ``capacity`` places, from the directory or from the ledger
    (:class:`~matching.capacity.Ledger`, the referrals booked); ``ledger`` the ledger's
    database file (schema, versions); ``periods`` weeks, months and quarters; ``outcomes``
    what happened to referrals; ``disclosure`` small counts suppressed in anything published.

Capacity gaps
    ``demand`` counts of needs by district and period; ``flow`` exact min-cost maximum flow;
    ``gaps`` demand against the places it can reach; ``scenarios`` what-if questions;
    ``gap_tables`` the published tables.
"""

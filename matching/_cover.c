/*
 * matching._cover: the search of matching.cover.best_cover, in C.
 *
 * The same algorithm, step for step, as the Python reference (matching.cover.best_cover_python;
 * the module notes of matching.cover prove it): restriction to the universe, the one-need and
 * whole-option answers, the dominance reduction, then A* over (needs met, open agency) states.
 * The Python code keeps the whole objective as one integer (fact F3), which outgrows 64 bits;
 * here the cost is the tuple that integer encodes, compared level by level:
 *
 *     (agencies + agencies still needed, pathways + pathways still needed, distance,
 *      sum of (largest spare - spare), pathways, the chosen ranks as a bitset)
 *
 * (ranks compared as the integer sum(2**(n-1-r)), larger first), with ties between states
 * broken as the Python heap breaks them, by (open agency + 1, needs met). So this search expands
 * and queues the same states in the same order as the Python one; the tests compare the two,
 * counters included, on generated instances.
 *
 * search(universe, options, free) -> (chosen, covered, kept, agencies, expanded, pushed) or
 * None; covered: the needs of the universe that some option meets (the optimum meets them all).
 * None means "not for C, ask Python": the universe or a field does not fit in 64 bits, or more
 * than MAX_NEEDS needs can be met. Options are trusted to be matching.cover.Option values.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEEDS 16            /* 2**16 states per agency at most; tables of 2**t entries */
#define MAX_VALUE (1LL << 40)   /* distance, spare: sums of 2**22 options stay below 2**62 */
#define MAX_OPTIONS (1LL << 22)

typedef struct {
    int64_t d, nsp;  /* distance, -spare */
    int64_t r;       /* rank: position among the options meeting a need of the universe */
    uint64_t m;      /* needs, restricted to the universe */
    uint32_t cm;     /* the same needs, compressed to t bits */
    int32_t a;       /* agency, compact id */
} Item;

typedef struct {
    int64_t ag, pw, d, l4, pw2; /* agencies, pathways, distance, sum(spmax + nsp), pathways */
    int64_t bits;               /* offset of the chosen-ranks bitset in the arena */
} Cost;

typedef struct {
    int64_t a1;     /* open agency + 1 (0: none) */
    uint64_t s;     /* needs met */
    Cost g;         /* best cost so far (no heuristic) */
    int64_t parent; /* node index, -1 for the start */
    int64_t r;      /* rank of the option added to get here */
    int done;
} Node;

typedef struct {
    Cost f;     /* g plus the heuristic */
    int64_t a1; /* the agency's own index + 1, not its compact id: ties go as in Python */
    uint64_t s;
    int64_t node;
} Entry;

typedef struct {
    /* the arena of bitsets, words per set */
    uint64_t *arena;
    int64_t used, cap, words;
    Node *nodes;
    int64_t n_nodes, cap_nodes;
    int64_t *slots; /* hash table: node index + 1, 0 empty */
    int64_t cap_slots;
    Entry *heap;
    int64_t n_heap, cap_heap;
} Search;

static void *
grow(void *p, int64_t *cap, int64_t need, size_t size)
{
    if (need <= *cap)
        return p;
    int64_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(p, (size_t)c * size);
    if (q == NULL)
        return NULL;
    *cap = c;
    return q;
}

static int
cmp_bits(const Search *S, int64_t x, int64_t y)
{
    /* larger set-as-number first: the smaller sorted tuple of ranks */
    const uint64_t *a = S->arena + x, *b = S->arena + y;
    for (int64_t k = 0; k < S->words; k++) {
        if (a[k] != b[k])
            return a[k] > b[k] ? -1 : 1;
    }
    return 0;
}

/* The levels before the chosen ranks, in turn. */
static int
cmp_levels(const Cost *x, const Cost *y)
{
    if (x->ag != y->ag)
        return x->ag < y->ag ? -1 : 1;
    if (x->pw != y->pw)
        return x->pw < y->pw ? -1 : 1;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    if (x->l4 != y->l4)
        return x->l4 < y->l4 ? -1 : 1;
    if (x->pw2 != y->pw2)
        return x->pw2 < y->pw2 ? -1 : 1;
    return 0;
}

static int
cmp_cost(const Search *S, const Cost *x, const Cost *y)
{
    int c = cmp_levels(x, y);
    return c ? c : cmp_bits(S, x->bits, y->bits);
}

static int
entry_less(const Search *S, const Entry *x, const Entry *y)
{
    int c = cmp_cost(S, &x->f, &y->f);
    if (c)
        return c < 0;
    if (x->a1 != y->a1)
        return x->a1 < y->a1;
    return x->s < y->s;
}

static int
heap_push(Search *S, const Entry *e)
{
    Entry *h = grow(S->heap, &S->cap_heap, S->n_heap + 1, sizeof(Entry));
    if (h == NULL)
        return 0;
    S->heap = h;
    int64_t i = S->n_heap++;
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!entry_less(S, e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = *e;
    return 1;
}

static Entry
heap_pop(Search *S)
{
    Entry *h = S->heap;
    Entry top = h[0];
    Entry last = h[--S->n_heap];
    int64_t n = S->n_heap, i = 0;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && entry_less(S, &h[c + 1], &h[c]))
            c++;
        if (!entry_less(S, &h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n > 0)
        h[i] = last;
    return top;
}

static uint64_t
mix(int64_t a1, uint64_t s)
{
    uint64_t x = s * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)a1 + 0x632BE59BD9B4E019ULL);
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 32;
    return x;
}

/* The node of state (a1, s), made when absent (its cost then unset: *fresh = 1). -1: no memory */
static int64_t
node_of(Search *S, int64_t a1, uint64_t s, int *fresh)
{
    if (2 * (S->n_nodes + 1) > S->cap_slots) {
        int64_t cap = S->cap_slots ? S->cap_slots * 2 : 64;
        int64_t *slots = calloc((size_t)cap, sizeof(int64_t));
        if (slots == NULL)
            return -1;
        for (int64_t k = 0; k < S->n_nodes; k++) {
            uint64_t j = mix(S->nodes[k].a1, S->nodes[k].s) & (uint64_t)(cap - 1);
            while (slots[j])
                j = (j + 1) & (uint64_t)(cap - 1);
            slots[j] = k + 1;
        }
        free(S->slots);
        S->slots = slots;
        S->cap_slots = cap;
    }
    uint64_t j = mix(a1, s) & (uint64_t)(S->cap_slots - 1);
    while (S->slots[j]) {
        Node *n = &S->nodes[S->slots[j] - 1];
        if (n->a1 == a1 && n->s == s) {
            *fresh = 0;
            return S->slots[j] - 1;
        }
        j = (j + 1) & (uint64_t)(S->cap_slots - 1);
    }
    Node *nodes = grow(S->nodes, &S->cap_nodes, S->n_nodes + 1, sizeof(Node));
    if (nodes == NULL)
        return -1;
    S->nodes = nodes;
    int64_t k = S->n_nodes++;
    nodes[k].a1 = a1;
    nodes[k].s = s;
    nodes[k].parent = -1;
    nodes[k].r = -1;
    nodes[k].done = 0;
    S->slots[j] = k + 1;
    *fresh = 1;
    return k;
}

/* A new bitset: a copy of `from` (or empty when from < 0) with rank r set (r < 0: none). */
static int64_t
bits_new(Search *S, int64_t from, int64_t r)
{
    uint64_t *arena = grow(S->arena, &S->cap, S->used + S->words, sizeof(uint64_t));
    if (arena == NULL)
        return -1;
    S->arena = arena;
    int64_t at = S->used;
    S->used += S->words;
    if (from >= 0)
        memcpy(arena + at, arena + from, (size_t)S->words * sizeof(uint64_t));
    else
        memset(arena + at, 0, (size_t)S->words * sizeof(uint64_t));
    if (r >= 0)
        arena[at + r / 64] |= 1ULL << (63 - r % 64);
    return at;
}

/* ---------------------------------------------------------------------- small integer maps */
typedef struct {
    int64_t *keys;
    int32_t *vals;
    int64_t cap;
} IntMap; /* agency -> compact id; keys are >= 0, -1 empty */

static int
intmap_init(IntMap *M, int64_t n)
{
    int64_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    M->keys = malloc((size_t)cap * sizeof(int64_t));
    M->vals = malloc((size_t)cap * sizeof(int32_t));
    M->cap = cap;
    if (M->keys == NULL || M->vals == NULL)
        return 0;
    memset(M->keys, 0xff, (size_t)cap * sizeof(int64_t));
    return 1;
}

/* The slot of key k (found or empty). */
static int64_t
intmap_slot(const IntMap *M, int64_t k)
{
    uint64_t j = mix(k, 0) & (uint64_t)(M->cap - 1);
    while (M->keys[j] != -1 && M->keys[j] != k)
        j = (j + 1) & (uint64_t)(M->cap - 1);
    return (int64_t)j;
}

static int
cmp_item(const void *x, const void *y)
{
    const Item *a = x, *b = y;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    if (a->nsp != b->nsp)
        return a->nsp < b->nsp ? -1 : 1;
    return a->r < b->r ? -1 : (a->r > b->r);
}

static int
read_field(PyObject *o, PyObject *name, int64_t *out, int64_t hi)
{
    PyObject *v = PyObject_GetAttr(o, name);
    if (v == NULL)
        return -1;
    if (!PyLong_Check(v)) { /* not an int: Python decides what that means */
        Py_DECREF(v);
        return 0;
    }
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    Py_DECREF(v);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (overflow || x < 0 || x > hi)
        return 0; /* not for C */
    *out = x;
    return 1;
}

static PyObject *s_mask, *s_agency, *s_distance, *s_spare;

static uint32_t
compress(uint64_t m, const uint64_t *bit, int t)
{
    uint32_t c = 0;
    for (int j = 0; j < t; j++)
        if (m & bit[j])
            c |= 1u << j;
    return c;
}

static PyObject *
search(PyObject *self, PyObject *args)
{
    PyObject *ouniverse, *ooptions, *ofree;
    if (!PyArg_ParseTuple(args, "OOO", &ouniverse, &ooptions, &ofree))
        return NULL;
    if (!PyLong_Check(ouniverse) || !PyAnySet_Check(ofree))
        Py_RETURN_NONE;
    uint64_t universe = PyLong_AsUnsignedLongLong(ouniverse);
    if (universe == (uint64_t)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NONE; /* negative, or 64 bits or more */
    }
    PyObject *seq = PySequence_Fast(ooptions, "options must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n_opt = PySequence_Fast_GET_SIZE(seq);
    PyObject **objs = PySequence_Fast_ITEMS(seq);
    PyObject *result = NULL;
    int not_c = 0;

    /* the free agencies, sorted */
    int64_t *fr = NULL;
    Py_ssize_t n_free = PySet_Size(ofree);
    if (n_free < 0) {
        Py_DECREF(seq);
        return NULL;
    }
    Item *items = NULL;
    int64_t *index = NULL;
    IntMap amap = {0};
    int64_t *per_agency = NULL, *agency_of = NULL; /* compact id -> count, own index */
    int *is_free = NULL;
    Search S = {0};
    int64_t *sup_any = NULL, *sup_free = NULL, *own_start = NULL, *own_next = NULL;
    int64_t *kept_of = NULL, *bn_start = NULL, *bn_list = NULL, *ba_list = NULL,
            *ba_start = NULL;
    uint64_t *agency_mask = NULL;
    if (n_opt > MAX_OPTIONS)
        goto fallback;
    fr = malloc((size_t)(n_free + 1) * sizeof(int64_t));
    if (fr == NULL)
        goto nomem;
    {
        PyObject *it = PyObject_GetIter(ofree), *key;
        Py_ssize_t k = 0;
        if (it == NULL)
            goto fail;
        while ((key = PyIter_Next(it)) != NULL) {
            int of = 0;
            long long v = PyLong_Check(key) ? PyLong_AsLongLongAndOverflow(key, &of) : -1;
            Py_DECREF(key);
            if ((v == -1 && PyErr_Occurred()) || of || v < 0 || k >= n_free) {
                Py_DECREF(it);
                if (PyErr_Occurred())
                    goto fail;
                goto fallback;
            }
            fr[k++] = v;
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            goto fail;
        n_free = k;
    }

    /* 1. restrict to the universe */
    items = malloc((size_t)(n_opt + 1) * sizeof(Item));
    index = malloc((size_t)(n_opt + 1) * sizeof(int64_t));
    if (items == NULL || index == NULL || !intmap_init(&amap, n_opt + n_free))
        goto nomem;
    int64_t n = 0, n_ag = 0, spmax = 0;
    uint64_t reach = 0;
    per_agency = malloc((size_t)(n_opt + n_free + 1) * sizeof(int64_t));
    agency_of = malloc((size_t)(n_opt + n_free + 1) * sizeof(int64_t));
    if (per_agency == NULL || agency_of == NULL)
        goto nomem;
    for (Py_ssize_t i = 0; i < n_opt; i++) {
        PyObject *o = objs[i];
        PyObject *om = PyObject_GetAttr(o, s_mask);
        if (om == NULL)
            goto fail;
        if (!PyLong_Check(om)) {
            Py_DECREF(om);
            goto fallback;
        }
        uint64_t m = PyLong_AsUnsignedLongLongMask(om) & universe;
        Py_DECREF(om);
        if (m == (uint64_t)-1 && PyErr_Occurred())
            goto fail;
        if (!m)
            continue;
        int64_t a, d, sp;
        int ok;
        if ((ok = read_field(o, s_agency, &a, INT64_MAX - 1)) <= 0 ||
            (ok = read_field(o, s_distance, &d, MAX_VALUE)) <= 0 ||
            (ok = read_field(o, s_spare, &sp, MAX_VALUE)) <= 0) {
            if (ok < 0)
                goto fail;
            goto fallback;
        }
        int64_t j = intmap_slot(&amap, a);
        if (amap.keys[j] == -1) {
            amap.keys[j] = a;
            amap.vals[j] = (int32_t)n_ag;
            agency_of[n_ag] = a;
            per_agency[n_ag++] = 0;
        }
        int32_t ca = amap.vals[j];
        per_agency[ca]++;
        items[n].d = d;
        items[n].nsp = -sp;
        items[n].r = n;
        items[n].m = m;
        items[n].a = ca;
        index[n] = i;
        n++;
        reach |= m;
        if (sp > spmax)
            spmax = sp;
    }
    int t = __builtin_popcountll(reach);
    if (t > MAX_NEEDS)
        goto fallback;
    is_free = calloc((size_t)(n_ag + 1), sizeof(int));
    if (is_free == NULL)
        goto nomem;
    for (Py_ssize_t k = 0; k < n_free; k++) {
        int64_t j = intmap_slot(&amap, fr[k]);
        if (amap.keys[j] == fr[k])
            is_free[amap.vals[j]] = 1;
    }
    int64_t kept = 0, agencies = 0, expanded = 0, pushed = 0;
    PyObject *chosen = NULL;
    if (!(reach & (reach - 1))) {
        /* at most one need: the first by (new agency, distance, -spare, rank), or nothing */
        int64_t best = -1;
        for (int64_t k = 0; k < n; k++) {
            Item *x = &items[k];
            if (best < 0) {
                best = k;
                continue;
            }
            Item *b = &items[best];
            int fx = !is_free[x->a], fb = !is_free[b->a];
            if (fx != fb ? fx < fb : cmp_item(x, b) < 0)
                best = k;
        }
        kept = agencies = n ? 1 : 0;
        chosen = best < 0 ? PyTuple_New(0) : Py_BuildValue("(n)", (Py_ssize_t)index[best]);
        goto answer;
    }
    {
        /* one option meeting every need, unless the free agencies' options meet them all */
        int64_t whole = -1;
        uint64_t free_reach = 0;
        for (int64_t k = 0; k < n; k++) {
            Item *x = &items[k];
            if (is_free[x->a])
                free_reach |= x->m;
            if (x->m != reach)
                continue;
            if (whole < 0)
                whole = k;
            else if (cmp_item(x, &items[whole]) < 0)
                whole = k;
        }
        if (whole >= 0 && free_reach != reach) {
            kept = agencies = 1;
            chosen = Py_BuildValue("(n)", (Py_ssize_t)index[whole]);
            goto answer;
        }
    }

    /* 2-3. dominance, in the order (distance, -spare, rank), needs compressed to t bits */
    uint64_t bit[64];
    {
        int j = 0;
        for (uint64_t rest = reach; rest; rest &= rest - 1)
            bit[j++] = rest & -rest;
    }
    for (int64_t k = 0; k < n; k++)
        items[k].cm = compress(items[k].m, bit, t);
    qsort(items, (size_t)n, sizeof(Item), cmp_item);
    int64_t full = 1LL << t;
    sup_any = malloc((size_t)full * sizeof(int64_t));  /* least -spare of kept supersets */
    sup_free = malloc((size_t)full * sizeof(int64_t)); /* the same, free agencies */
    own_start = malloc((size_t)(n_ag + 1) * sizeof(int64_t)); /* agency -> last kept (list) */
    own_next = malloc((size_t)(n + 1) * sizeof(int64_t));
    kept_of = malloc((size_t)(n + 1) * sizeof(int64_t));
    if (sup_any == NULL || sup_free == NULL || own_start == NULL || own_next == NULL ||
        kept_of == NULL)
        goto nomem;
    for (int64_t c = 0; c < full; c++)
        sup_any[c] = sup_free[c] = INT64_MAX;
    for (int64_t k = 0; k < n_ag; k++)
        own_start[k] = -1;
    int largest = 1;
    for (int64_t k = 0; k < n; k++) {
        Item *x = &items[k];
        int dominated;
        if (per_agency[x->a] == 1 && !is_free[x->a])
            dominated = sup_any[x->cm] <= x->nsp;
        else {
            dominated = sup_free[x->cm] <= x->nsp;
            for (int64_t o = own_start[x->a]; o >= 0 && !dominated; o = own_next[o]) {
                Item *y = &items[kept_of[o]];
                dominated = y->nsp <= x->nsp && !(x->cm & ~y->cm);
            }
        }
        if (dominated)
            continue;
        own_next[kept] = own_start[x->a];
        own_start[x->a] = kept;
        kept_of[kept++] = k;
        uint32_t c = x->cm;
        for (uint32_t sub = c;; sub = (sub - 1) & c) { /* every subset of its needs */
            if (sup_any[sub] > x->nsp)
                sup_any[sub] = x->nsp;
            if (is_free[x->a] && sup_free[sub] > x->nsp)
                sup_free[sub] = x->nsp;
            if (!sub)
                break;
        }
        if (__builtin_popcount(c) > largest)
            largest = __builtin_popcount(c);
    }
    /* the kept options, per need (in kept order) and per agency (in kept order) */
    bn_start = malloc((size_t)(t + 1) * sizeof(int64_t));
    bn_list = malloc((size_t)(kept * t + 1) * sizeof(int64_t));
    ba_start = malloc((size_t)(n_ag + 2) * sizeof(int64_t));
    ba_list = malloc((size_t)(kept + 1) * sizeof(int64_t));
    agency_mask = calloc((size_t)(n_ag + 1), sizeof(uint64_t));
    if (bn_start == NULL || bn_list == NULL || ba_start == NULL || ba_list == NULL ||
        agency_mask == NULL)
        goto nomem;
    int first_seen[64]; /* need -> the order in which Python's dict met it */
    int64_t bn_count[64];
    for (int j = 0; j < t; j++) {
        first_seen[j] = -1;
        bn_count[j] = 0;
    }
    int seen = 0;
    for (int64_t z = 0; z < n_ag + 2; z++)
        ba_start[z] = 0;
    for (int64_t o = 0; o < kept; o++) {
        Item *x = &items[kept_of[o]];
        for (int j = 0; j < t; j++)
            if (x->cm >> j & 1) {
                if (first_seen[j] < 0)
                    first_seen[j] = seen++;
                bn_count[j]++;
            }
        ba_start[x->a + 1]++;
        agency_mask[x->a] |= x->cm;
    }
    for (int64_t z = 0; z < n_ag; z++) {
        if (ba_start[z + 1])
            agencies++;
        ba_start[z + 1] += ba_start[z];
    }
    int64_t *ba_fill = own_start; /* reused: next free position per agency */
    for (int64_t z = 0; z < n_ag; z++)
        ba_fill[z] = ba_start[z];
    bn_start[0] = 0;
    for (int j = 0; j < t; j++)
        bn_start[j + 1] = bn_start[j] + bn_count[j];
    int64_t bn_fill[64];
    for (int j = 0; j < t; j++)
        bn_fill[j] = bn_start[j];
    for (int64_t o = 0; o < kept; o++) {
        Item *x = &items[kept_of[o]];
        for (int j = 0; j < t; j++)
            if (x->cm >> j & 1)
                bn_list[bn_fill[j]++] = o;
        ba_list[ba_fill[x->a]++] = o;
    }
    if (kept <= 1) {
        chosen = kept ? Py_BuildValue("(n)", (Py_ssize_t)index[items[kept_of[0]].r])
                      : PyTuple_New(0);
        goto answer;
    }
    uint32_t free_mask = 0;
    int widest = 0;
    for (int64_t o = 0; o < kept; o++) {
        Item *x = &items[kept_of[o]];
        if (is_free[x->a])
            free_mask |= x->cm;
        else if (__builtin_popcount(agency_mask[x->a]) > widest)
            widest = __builtin_popcount(agency_mask[x->a]);
    }
    if (!widest)
        widest = 1;
    /* the branching order: fewest options first, ties in the order Python's dict met them */
    int order[64];
    for (int j = 0; j < t; j++)
        order[first_seen[j]] = j;
    for (int u = 1; u < t; u++) { /* stable insertion sort by count */
        int j = order[u], v = u;
        while (v > 0 && bn_count[order[v - 1]] > bn_count[j]) {
            order[v] = order[v - 1];
            v--;
        }
        order[v] = j;
    }
    uint32_t reach_c = (uint32_t)(full - 1);

    /* 4. A* */
    S.words = (n + 63) / 64;
    int fresh;
    int64_t root = node_of(&S, 0, 0, &fresh);
    int64_t zero_bits = bits_new(&S, -1, -1);
    if (root < 0 || zero_bits < 0)
        goto nomem;
    S.nodes[root].g = (Cost){0, 0, 0, 0, 0, zero_bits};
    Entry e0 = {S.nodes[root].g, 0, 0, root};
    if (!heap_push(&S, &e0))
        goto nomem;
    int64_t goal = -1;
    while (S.n_heap > 0) {
        Entry e = heap_pop(&S);
        Node *nd = &S.nodes[e.node];
        if (nd->done)
            continue;
        uint32_t s = (uint32_t)nd->s;
        if (s == reach_c) {
            goal = e.node;
            break;
        }
        nd->done = 1;
        expanded++;
        Cost g = nd->g;
        int64_t cur = nd->a1 - 1;
        uint32_t rest = reach_c & ~s;
        int b = 0;
        for (int u = 0; u < t; u++)
            if (rest >> order[u] & 1) {
                b = order[u];
                break;
            }
        /* stay with the open agency, then open another with the first unmet need */
        int64_t lo, hi_;
        for (int phase = 0; phase < 2; phase++) {
            if (phase == 0) {
                if (cur < 0)
                    continue;
                lo = ba_start[cur];
                hi_ = ba_start[cur + 1];
            } else {
                lo = bn_start[b];
                hi_ = bn_start[b + 1];
            }
            for (int64_t z = lo; z < hi_; z++) {
                int64_t o = phase == 0 ? ba_list[z] : bn_list[z];
                Item *x = &items[kept_of[o]];
                if (phase == 0 ? !(x->cm & rest) : x->a == cur)
                    continue;
                int64_t a1 = (int64_t)x->a + 1;
                uint32_t ns = s | x->cm;
                Cost ng = g;
                if (phase == 1 && !is_free[x->a])
                    ng.ag += 1;
                ng.pw += 1;
                ng.pw2 += 1;
                ng.d += x->d;
                ng.l4 += spmax + x->nsp;
                int64_t nk = node_of(&S, a1, ns, &fresh);
                if (nk < 0)
                    goto nomem;
                Node *nn = &S.nodes[nk]; /* after node_of, which may move the nodes */
                /* better than the state's best so far? Its chosen ranks are made only when the
                 * levels do not decide, or when it is */
                int c = fresh ? -1 : cmp_levels(&ng, &nn->g);
                if (c > 0)
                    continue;
                int64_t nb = bits_new(&S, g.bits, x->r);
                if (nb < 0)
                    goto nomem;
                if (c == 0 && cmp_bits(&S, nb, nn->g.bits) >= 0) {
                    S.used -= S.words; /* not better: give the bitset back */
                    continue;
                }
                ng.bits = nb;
                nn->g = ng;
                nn->parent = e.node;
                nn->r = x->r;
                Entry ne = {ng, agency_of[x->a] + 1, ns, nk};
                uint32_t left = rest & ~x->cm;
                if (left) {
                    int k1 = __builtin_popcount(left);
                    int k2 = __builtin_popcount(left & ~free_mask & ~agency_mask[x->a]);
                    ne.f.pw += (k1 + largest - 1) / largest;
                    ne.f.ag += (k2 + widest - 1) / widest;
                }
                if (!heap_push(&S, &ne))
                    goto nomem;
                pushed++;
            }
        }
    }
    if (goal < 0) {
        PyErr_SetString(PyExc_AssertionError, "cover search ended without a goal");
        goto fail;
    }
    {
        int64_t m_ch = 0;
        for (int64_t k = goal; S.nodes[k].parent >= 0; k = S.nodes[k].parent)
            m_ch++;
        int64_t *ch = malloc((size_t)(m_ch + 1) * sizeof(int64_t));
        if (ch == NULL)
            goto nomem;
        int64_t c = 0;
        for (int64_t k = goal; S.nodes[k].parent >= 0; k = S.nodes[k].parent)
            ch[c++] = index[S.nodes[k].r];
        /* sort the option indices */
        for (int64_t u = 1; u < c; u++) {
            int64_t v = ch[u], w = u;
            while (w > 0 && ch[w - 1] > v) {
                ch[w] = ch[w - 1];
                w--;
            }
            ch[w] = v;
        }
        chosen = PyTuple_New(c);
        if (chosen != NULL)
            for (int64_t u = 0; u < c; u++) {
                PyObject *v = PyLong_FromLongLong(ch[u]);
                if (v == NULL) {
                    Py_CLEAR(chosen);
                    break;
                }
                PyTuple_SET_ITEM(chosen, u, v);
            }
        free(ch);
    }
answer:
    if (chosen == NULL)
        goto fail;
    result = Py_BuildValue("(NKLLLL)", chosen, (unsigned long long)reach, (long long)kept,
                           (long long)agencies, (long long)expanded, (long long)pushed);
    goto done;
fallback:
    not_c = 1;
    goto done;
nomem:
    PyErr_NoMemory();
fail:
    result = NULL;
done:
    free(fr);
    free(items);
    free(index);
    free(amap.keys);
    free(amap.vals);
    free(per_agency);
    free(agency_of);
    free(is_free);
    free(sup_any);
    free(sup_free);
    free(own_start);
    free(own_next);
    free(kept_of);
    free(bn_start);
    free(bn_list);
    free(ba_start);
    free(ba_list);
    free(agency_mask);
    free(S.arena);
    free(S.nodes);
    free(S.slots);
    free(S.heap);
    Py_DECREF(seq);
    if (not_c && !PyErr_Occurred())
        Py_RETURN_NONE;
    return result;
}

static PyMethodDef methods[] = {
    {"search", search, METH_VARARGS,
     "search(universe, options, free): (chosen, covered, kept, agencies, expanded, pushed) "
     "or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "matching._cover", "The cover search in C (see matching.cover).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__cover(void)
{
    s_mask = PyUnicode_InternFromString("mask");
    s_agency = PyUnicode_InternFromString("agency");
    s_distance = PyUnicode_InternFromString("distance");
    s_spare = PyUnicode_InternFromString("spare");
    if (s_mask == NULL || s_agency == NULL || s_distance == NULL || s_spare == NULL)
        return NULL;
    return PyModule_Create(&module);
}

/*
 * matching._gather: candidate passes in C, each with its Python reference (tests compare them
 * array for array):
 *
 * - gather (matching.gather.gather_python): the quick path's first pass over the finder's
 *   lists compiled to flat arrays: the district's lists need by need, the grid cells within
 *   reach (each slot once, a bitmap), the remote pathway serving everywhere of each agency
 *   found (an open-addressing table keeps them in the order they first come) and of each
 *   engaged one, and those of agencies with several; rows of (slot, needs, agency, places).
 * - union (matching.gather.pool_python): the slots of some lists, each once, ascending.
 * - reduce_rows (matching.grouping.reduce_rows_python): agencies that cannot matter dropped,
 *   candidates alone in their agency grouped.
 *
 * Malformed arrays (out-of-range slots, lists, profiles, agencies; wrong types) raise
 * IndexError, TypeError or ValueError; nothing is read out of bounds.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    int64_t agency, count, needs;
} Agg;

typedef struct {
    int32_t *index; /* table: position in aggs, or -1 */
    Agg *aggs;      /* agencies in the order they first come */
    Py_ssize_t mask, n;
} Table;

static Agg *
find(Table *t, int64_t agency)
{
    uint64_t h = ((uint64_t)agency * 0x9E3779B97F4A7C15ULL) >> 20;
    for (;;) {
        Py_ssize_t k = (Py_ssize_t)(h & (uint64_t)t->mask);
        int32_t at = t->index[k];
        if (at < 0) {
            Agg *a = &t->aggs[t->n];
            a->agency = agency;
            a->count = a->needs = 0;
            t->index[k] = (int32_t)t->n++;
            return a;
        }
        if (t->aggs[at].agency == agency)
            return &t->aggs[at];
        h++;
    }
}

/* Take a C-contiguous 1-D buffer of 64-bit integers from `obj`. */
static int
take(PyObject *obj, Py_buffer *b, const char *name)
{
    if (PyObject_GetBuffer(obj, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return 0;
    const char *f = b->format == NULL ? "" : b->format;
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int same = strcmp(f, "q") == 0 || (strcmp(f, "l") == 0 && sizeof(long) == 8);
    if (b->itemsize != 8 || b->ndim != 1 || !same) {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous 1-D array of int64", name);
        PyBuffer_Release(b);
        b->obj = NULL;
        return 0;
    }
    return 1;
}

/* An int of a list as an int64 (an OverflowError or TypeError set when it is not one). */
static int
list_i64(PyObject *list, Py_ssize_t k, int64_t *out)
{
    long long v = PyLong_AsLongLong(PyList_GET_ITEM(list, k));
    if (v == -1 && PyErr_Occurred())
        return 0;
    *out = (int64_t)v;
    return 1;
}

/* Candidates found: rows (slot, needs, agency, places left), room for `bound` made first. */
typedef struct {
    int64_t *v;
    Py_ssize_t n;
} Out;

static void
add(Out *o, int64_t slot, int64_t needs, int64_t agency, int64_t spare)
{
    int64_t *row = o->v + 4 * o->n++;
    row[0] = slot;
    row[1] = needs;
    row[2] = agency;
    row[3] = spare;
}

enum { MASK, AGENCY, PROF, PLACES, LEFT, WAITABLE, FIELDS };

typedef struct {
    const int64_t *rec, *list_start, *list_slots, *grid_start, *grid_slots, *many_start,
        *many_slots, *evq_of;
    Py_ssize_t n, n_lists, n_grid, n_list_slots, n_grid_slots, n_many, n_many_slots, n_agencies;
    PyObject *ok;
    uint64_t universe;
    int waitlist;
} Pass;

/* Whether the person passes profile `pr` (1, 0; -1 with IndexError). */
static int
passes(const Pass *p, int64_t pr)
{
    if (pr < 0 || pr >= PyTuple_GET_SIZE(p->ok)) {
        PyErr_SetString(PyExc_IndexError, "profile out of range");
        return -1;
    }
    return PyTuple_GET_ITEM(p->ok, pr) == Py_True;
}

static int
slot_ok(const Pass *p, int64_t i)
{
    if (i < 0 || i >= p->n) {
        PyErr_SetString(PyExc_IndexError, "slot out of range");
        return 0;
    }
    return 1;
}

/* Range [*lo, *hi) of list `key` of `start` (n lists over `len` slots); 0 with IndexError. */
static int
range_of(const int64_t *start, Py_ssize_t n, Py_ssize_t len, int64_t key, Py_ssize_t *lo,
         Py_ssize_t *hi)
{
    if (key < 0 || key >= n || start[key] < 0 || start[key] > start[key + 1] ||
        start[key + 1] > len) {
        PyErr_SetString(PyExc_IndexError, "list out of range");
        return 0;
    }
    *lo = (Py_ssize_t)start[key];
    *hi = (Py_ssize_t)start[key + 1];
    return 1;
}

/* Slots lo..hi of `slots` read for need bit `b`: those whose first need of the universe is b
 * and whose profile the person passes; kind 2 (waiting) counts places left or 0. */
static int
read_slots(const Pass *p, const int64_t *slots, Py_ssize_t lo, Py_ssize_t hi, uint64_t b,
           int kind, Out *out, Table *t)
{
    for (Py_ssize_t j = lo; j < hi; j++) {
        int64_t i = slots[j];
        if (!slot_ok(p, i))
            return -1;
        const int64_t *r = p->rec + i * FIELDS;
        uint64_t m = (uint64_t)r[MASK] & p->universe;
        if ((m & (~m + 1)) != b)
            continue;
        int good = passes(p, r[PROF]);
        if (good < 0)
            return -1;
        if (!good)
            continue;
        add(out, i, (int64_t)m, r[AGENCY], kind == 2 ? r[LEFT] : r[PLACES]);
        if (t != NULL)
            find(t, r[AGENCY]);
    }
    return 0;
}

/* The slots of grid list `key` not seen yet (marked in `seen` as read). */
static int
read_cell(const Pass *p, int64_t key, uint8_t *seen, Out *far, Out *waiting, Table *t)
{
    Py_ssize_t lo, hi;
    if (!range_of(p->grid_start, p->n_grid, p->n_grid_slots, key, &lo, &hi))
        return -1;
    for (Py_ssize_t j = lo; j < hi; j++) {
        int64_t i = p->grid_slots[j];
        if (!slot_ok(p, i))
            return -1;
        if (seen[i >> 3] & (1 << (i & 7)))
            continue;
        seen[i >> 3] |= (uint8_t)(1 << (i & 7));
        const int64_t *r = p->rec + i * FIELDS;
        int good = passes(p, r[PROF]);
        if (good < 0)
            return -1;
        if (!good)
            continue;
        int64_t m = (int64_t)((uint64_t)r[MASK] & p->universe), spare = r[PLACES];
        Out *out = far;
        if (spare < 0) {
            if (!p->waitlist || !r[WAITABLE])
                continue;
            spare = r[LEFT];
            out = waiting;
        }
        add(out, i, m, r[AGENCY], spare);
        find(t, r[AGENCY]);
    }
    return 0;
}

/* The quick remote pathway of `agency` (evq_of), when the person can use it. */
static int
read_evq(const Pass *p, int64_t agency, Out *zero)
{
    if (agency < 0 || agency >= p->n_agencies) {
        PyErr_SetString(PyExc_IndexError, "agency out of range");
        return -1;
    }
    int64_t i = p->evq_of[agency];
    if (i < 0)
        return 0;
    if (!slot_ok(p, i))
        return -1;
    const int64_t *r = p->rec + i * FIELDS;
    uint64_t m = (uint64_t)r[MASK] & p->universe;
    if (!m)
        return 0;
    int good = passes(p, r[PROF]);
    if (good > 0)
        add(zero, i, (int64_t)m, agency, r[PLACES]);
    return good < 0 ? -1 : 0;
}

static PyObject *
as_bytes(const int64_t *v, Py_ssize_t n)
{
    return PyBytes_FromStringAndSize((const char *)v, n * (Py_ssize_t)sizeof(int64_t));
}

#define N_BUFFERS 11

static PyObject *
gather(PyObject *self, PyObject *args)
{
    PyObject *o[N_BUFFERS], *needs, *cells, *ok, *universe_obj;
    Py_ssize_t list_base, n_needs;
    int waitlist;
    if (!PyArg_ParseTuple(args, "OOOOOOOOnnO!O!OOO!O!p:gather", &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &o[6], &o[7], &list_base, &n_needs, &PyList_Type,
                          &needs, &PyList_Type, &cells, &o[8], &o[9], &PyTuple_Type, &ok,
                          &PyLong_Type, &universe_obj, &waitlist))
        return NULL;
    o[10] = NULL;
    Py_buffer b[N_BUFFERS] = {{0}};
    const char *names[N_BUFFERS] = {"rec",        "list_start", "list_slots", "grid_start",
                                    "grid_slots", "many_start", "many_slots", "evq_of",
                                    "skip",       "free",       ""};
    PyObject *result = NULL;
    Table t = {NULL, NULL, 0, 0};
    Out outs[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    int64_t *agencies = NULL;
    uint8_t *seen = NULL;
    int status = 0;
    for (int k = 0; k < 10; k++)
        if (!take(o[k], &b[k], names[k]))
            goto done;
    unsigned long long universe = PyLong_AsUnsignedLongLong(universe_obj);
    if (universe == (unsigned long long)-1 && PyErr_Occurred())
        goto done;
    Pass p = {b[0].buf,           b[1].buf,           b[2].buf,          b[3].buf,
              b[4].buf,           b[5].buf,           b[6].buf,          b[7].buf,
              b[0].len / 8 / FIELDS, b[1].len / 8 - 1, b[3].len / 8 - 1, b[2].len / 8,
              b[4].len / 8,       b[5].len / 8 - 1,   b[6].len / 8,      b[7].len / 8,
              ok,                 (uint64_t)universe, waitlist};
    if (b[0].len % (8 * FIELDS) != 0 || p.n_lists < 0 || p.n_grid < 0 || p.n_many < 0 ||
        n_needs <= 0 || n_needs > 63) {
        PyErr_SetString(PyExc_ValueError, "malformed arrays");
        goto done;
    }
    Py_ssize_t nn = PyList_GET_SIZE(needs), nc = PyList_GET_SIZE(cells);
    int64_t need[64];
    if (nn > 63) {
        PyErr_SetString(PyExc_ValueError, "too many needs");
        goto done;
    }
    /* room: the entries of the lists read, of the grid lists (each slot once), and one quick
     * remote pathway per agency touched or engaged */
    Py_ssize_t bound = 1, lo, hi;
    for (Py_ssize_t k = 0; k < nn; k++) {
        if (!list_i64(needs, k, &need[k]))
            goto done;
        if (need[k] < 0 || need[k] >= n_needs) {
            PyErr_SetString(PyExc_IndexError, "need out of range");
            goto done;
        }
        for (int kind = 0; kind < 3; kind++) {
            if (!range_of(p.list_start, p.n_lists, p.n_list_slots,
                          ((int64_t)list_base + need[k]) * 3 + kind, &lo, &hi))
                goto done;
            bound += hi - lo;
        }
        if (!range_of(p.many_start, p.n_many, p.n_many_slots, need[k], &lo, &hi))
            goto done;
        bound += hi - lo;
    }
    Py_ssize_t nearby = 0;
    for (Py_ssize_t c = 0; c < nc; c++) {
        int64_t cell;
        if (!list_i64(cells, c, &cell))
            goto done;
        for (Py_ssize_t k = 0; k < nn; k++) {
            if (!range_of(p.grid_start, p.n_grid, p.n_grid_slots, cell * n_needs + need[k], &lo,
                          &hi))
                goto done;
            nearby += hi - lo;
        }
    }
    bound += (nearby < p.n ? nearby : p.n) + b[9].len / 8;
    bound *= 2; /* and the quick remote pathway of each agency found */
    Py_ssize_t cap = 16;
    while (cap < 2 * bound)
        cap *= 2;
    t.index = malloc(sizeof(int32_t) * cap);
    t.aggs = malloc(sizeof(Agg) * bound);
    t.mask = cap - 1;
    seen = calloc((size_t)p.n / 8 + 1, 1);
    agencies = malloc(sizeof(int64_t) * bound);
    for (int k = 0; k < 3; k++)
        outs[k].v = malloc(sizeof(int64_t) * 4 * bound);
    if (!t.index || !t.aggs || !seen || !agencies || !outs[0].v || !outs[1].v || !outs[2].v) {
        PyErr_NoMemory();
        goto done;
    }
    memset(t.index, 0xff, sizeof(int32_t) * cap);
    /* the district's lists, need by need: zero, far, waiting */
    for (Py_ssize_t k = 0; k < nn && status == 0; k++)
        for (int kind = 0; kind < (waitlist ? 3 : 2) && status == 0; kind++) {
            int64_t key = ((int64_t)list_base + need[k]) * 3 + kind;
            range_of(p.list_start, p.n_lists, p.n_list_slots, key, &lo, &hi); /* checked */
            status = read_slots(&p, p.list_slots, lo, hi, (uint64_t)1 << need[k], kind,
                                &outs[kind], &t);
        }
    /* nearby: the grid's cells, those serving the district (skip) read already */
    const int64_t *skip = b[8].buf;
    for (Py_ssize_t j = 0; j < b[8].len / 8 && status == 0; j++) {
        if (!slot_ok(&p, skip[j]))
            status = -1;
        else
            seen[skip[j] >> 3] |= (uint8_t)(1 << (skip[j] & 7));
    }
    for (Py_ssize_t c = 0; c < nc && status == 0; c++) {
        int64_t cell;
        list_i64(cells, c, &cell); /* read above */
        for (Py_ssize_t k = 0; k < nn && status == 0; k++)
            status = read_cell(&p, cell * n_needs + need[k], seen, &outs[1], &outs[2], &t);
    }
    /* the agencies found, then the quick remote pathway of each, and of each engaged one */
    Py_ssize_t n_found = t.n;
    for (Py_ssize_t k = 0; k < n_found; k++)
        agencies[k] = t.aggs[k].agency;
    for (Py_ssize_t k = 0; k < n_found && status == 0; k++)
        status = read_evq(&p, agencies[k], &outs[0]);
    const int64_t *engaged = b[9].buf;
    for (Py_ssize_t j = 0; j < b[9].len / 8 && status == 0; j++) {
        Py_ssize_t before = t.n;
        find(&t, engaged[j]);
        if (t.n > before) /* not found above */
            status = read_evq(&p, engaged[j], &outs[0]);
    }
    /* the quick remote pathways of agencies with several, need by need */
    for (Py_ssize_t k = 0; k < nn && status == 0; k++) {
        range_of(p.many_start, p.n_many, p.n_many_slots, need[k], &lo, &hi); /* checked */
        status = read_slots(&p, p.many_slots, lo, hi, (uint64_t)1 << need[k], 0, &outs[0], NULL);
    }
    if (status == 0)
        result = Py_BuildValue("(NNNN)", as_bytes(outs[0].v, 4 * outs[0].n),
                               as_bytes(outs[1].v, 4 * outs[1].n),
                               as_bytes(outs[2].v, 4 * outs[2].n), as_bytes(agencies, n_found));
done:
    for (int k = 0; k < 10; k++)
        if (b[k].obj != NULL)
            PyBuffer_Release(&b[k]);
    free(t.index);
    free(t.aggs);
    free(seen);
    free(agencies);
    for (int k = 0; k < 3; k++)
        free(outs[k].v);
    return result;
}

/* union(start_a, slots_a, keys_a, start_b, slots_b, keys_b, n): the slots of lists keys_a of
 * (start_a, slots_a) and keys_b of (start_b, slots_b), each once, ascending (a bitmap of n). */
static int
mark_lists(const Py_buffer *start, const Py_buffer *slots, PyObject *keys, uint64_t *bits,
           Py_ssize_t n)
{
    const int64_t *st = start->buf, *sl = slots->buf;
    Py_ssize_t n_lists = start->len / 8 - 1, len = slots->len / 8, lo, hi;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
        int64_t key;
        if (!list_i64(keys, k, &key) || !range_of(st, n_lists, len, key, &lo, &hi))
            return 0;
        for (Py_ssize_t j = lo; j < hi; j++) {
            int64_t i = sl[j];
            if (i < 0 || i >= n) {
                PyErr_SetString(PyExc_IndexError, "slot out of range");
                return 0;
            }
            bits[i >> 6] |= (uint64_t)1 << (i & 63);
        }
    }
    return 1;
}

static PyObject *
union_of(PyObject *self, PyObject *args)
{
    PyObject *o[4], *keys_a, *keys_b;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OOO!OOO!n:union", &o[0], &o[1], &PyList_Type, &keys_a, &o[2],
                          &o[3], &PyList_Type, &keys_b, &n))
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "n must be 0 or more");
        return NULL;
    }
    Py_buffer b[4] = {{0}};
    const char *names[4] = {"start_a", "slots_a", "start_b", "slots_b"};
    PyObject *result = NULL;
    Py_ssize_t words = n / 64 + 1;
    uint64_t *bits = calloc((size_t)words, sizeof(uint64_t));
    int64_t *out = NULL;
    if (bits == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (int k = 0; k < 4; k++)
        if (!take(o[k], &b[k], names[k]))
            goto done;
    if (b[0].len < 8 || b[2].len < 8) {
        PyErr_SetString(PyExc_ValueError, "a start array holds at least one entry");
        goto done;
    }
    if (!mark_lists(&b[0], &b[1], keys_a, bits, n) || !mark_lists(&b[2], &b[3], keys_b, bits, n))
        goto done;
    Py_ssize_t count = 0;
    for (Py_ssize_t w = 0; w < words; w++)
        count += __builtin_popcountll(bits[w]);
    out = malloc(sizeof(int64_t) * (size_t)(count + 1));
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t w = 0; w < words; w++)
        for (uint64_t x = bits[w]; x; x &= x - 1)
            out[at++] = (int64_t)(w * 64 + __builtin_ctzll(x));
    result = as_bytes(out, count);
done:
    for (int k = 0; k < 4; k++)
        if (b[k].obj != NULL)
            PyBuffer_Release(&b[k]);
    free(bits);
    free(out);
    return result;
}

/* ---------------------------------------------------------------------------------------
 * reduce_rows: matching.grouping.reduce_rows_python in C (see there for the rules).
 */

typedef struct {
    const int64_t *slot, *mask, *agency, *distance, *spare;
    const uint8_t *waitlisted;
} Rows;

/* Row i before row j in the order (distance, -places left, slot). */
static int
before(const Rows *r, Py_ssize_t i, Py_ssize_t j)
{
    if (r->distance[i] != r->distance[j])
        return r->distance[i] < r->distance[j];
    if (r->spare[i] != r->spare[j])
        return r->spare[i] > r->spare[j];
    return r->slot[i] < r->slot[j];
}

/* Per agency (in a Table, `count` rows, `needs` their masks): its first row, whether it is
 * held (engaged or with a waitlisted row), whether it cannot matter. */
typedef struct {
    Py_ssize_t first;
    int held, beaten;
} AgencyFacts;

/* Per set of needs asked: the first three rows with a place taking all of it. */
typedef struct {
    int64_t needs;
    Py_ssize_t top[3];
    int n;
} Beaters;

static int
engaged_has(const int64_t *engaged, Py_ssize_t n, int64_t agency)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (engaged[mid] < agency)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && engaged[lo] == agency;
}

static PyObject *
reduce_rows(PyObject *self, PyObject *args)
{
    PyObject *obj[7];
    int prune;
    if (!PyArg_ParseTuple(args, "OOOOOOOp:reduce_rows", &obj[0], &obj[1], &obj[2], &obj[3],
                          &obj[4], &obj[5], &obj[6], &prune))
        return NULL;
    Py_buffer b[7] = {{0}};
    const char *names[7] = {"slot", "mask", "agency", "distance", "spare", "waitlisted",
                            "engaged"};
    PyObject *result = NULL;
    Table t = {NULL, NULL, 0, 0};
    AgencyFacts *facts = NULL;
    Beaters *asked = NULL;
    Py_ssize_t *row_agency = NULL, *group_first = NULL, *group_second = NULL;
    int64_t *kept = NULL, *winners = NULL, *runners = NULL, *group_mask = NULL;
    uint8_t *alone = NULL, *keep = NULL;
    for (int k = 0; k < 7; k++) {
        if (k == 5) {
            if (PyObject_GetBuffer(obj[k], &b[k], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
                goto done;
            if (b[k].itemsize != 1 || b[k].ndim != 1 || b[k].format == NULL ||
                strcmp(b[k].format, "?") != 0) {
                PyErr_SetString(PyExc_TypeError, "waitlisted must be a 1-D array of bool");
                goto done;
            }
        }
        else if (!take(obj[k], &b[k], names[k]))
            goto done;
    }
    Py_ssize_t n = b[0].len / 8;
    for (int k = 1; k < 6; k++)
        if ((k == 5 ? b[k].len : b[k].len / 8) != n) {
            PyErr_SetString(PyExc_ValueError, "the rows' arrays must have one length");
            goto done;
        }
    Rows r = {b[0].buf, b[1].buf, b[2].buf, b[3].buf, b[4].buf, b[5].buf};
    const int64_t *engaged = b[6].buf;
    Py_ssize_t n_engaged = b[6].len / 8;
    Py_ssize_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    size_t m = (size_t)n + 1;
    t.index = malloc(sizeof(int32_t) * cap);
    t.aggs = malloc(sizeof(Agg) * m);
    t.mask = cap - 1;
    facts = malloc(sizeof(AgencyFacts) * m);
    asked = malloc(sizeof(Beaters) * m);
    row_agency = malloc(sizeof(Py_ssize_t) * m);
    group_first = malloc(sizeof(Py_ssize_t) * m);
    group_second = malloc(sizeof(Py_ssize_t) * m);
    group_mask = malloc(sizeof(int64_t) * m);
    kept = malloc(sizeof(int64_t) * m);
    winners = malloc(sizeof(int64_t) * m);
    runners = malloc(sizeof(int64_t) * m);
    alone = malloc(m);
    keep = malloc(m);
    if (!t.index || !t.aggs || !facts || !asked || !row_agency || !group_first ||
        !group_second || !group_mask || !kept || !winners || !runners || !alone || !keep) {
        PyErr_NoMemory();
        goto done;
    }
    memset(t.index, 0xff, sizeof(int32_t) * cap);
    /* agencies: rows, needs, first row, held */
    for (Py_ssize_t i = 0; i < n; i++) {
        Agg *a = find(&t, r.agency[i]);
        Py_ssize_t k = a - t.aggs;
        if (a->count == 0) {
            facts[k].first = i;
            facts[k].held = engaged_has(engaged, n_engaged, r.agency[i]);
            facts[k].beaten = 0;
        }
        else if (before(&r, i, facts[k].first))
            facts[k].first = i;
        a->count++;
        a->needs |= r.mask[i];
        facts[k].held |= r.waitlisted[i] != 0;
        row_agency[i] = k;
    }
    /* step 1: agencies beaten by two candidates of others */
    if (prune) {
        Py_ssize_t n_asked = 0;
        for (Py_ssize_t k = 0; k < t.n; k++) {
            if (facts[k].held)
                continue;
            int64_t needs = t.aggs[k].needs;
            Beaters *bt = NULL;
            for (Py_ssize_t q = 0; q < n_asked; q++)
                if (asked[q].needs == needs) {
                    bt = &asked[q];
                    break;
                }
            if (bt == NULL) { /* the first three rows with a place taking all of needs */
                bt = &asked[n_asked++];
                bt->needs = needs;
                bt->n = 0;
                for (Py_ssize_t i = 0; i < n; i++) {
                    if (r.waitlisted[i] || (r.mask[i] & needs) != needs)
                        continue;
                    int at = bt->n < 3 ? bt->n : 3;
                    while (at > 0 && before(&r, i, bt->top[at - 1]))
                        at--;
                    if (at >= 3)
                        continue;
                    for (int z = (bt->n < 3 ? bt->n : 2); z > at; z--)
                        bt->top[z] = bt->top[z - 1];
                    bt->top[at] = i;
                    if (bt->n < 3)
                        bt->n++;
                }
            }
            int others = 0;
            for (int z = 0; z < bt->n; z++) {
                Py_ssize_t i = bt->top[z];
                if (r.agency[i] == t.aggs[k].agency)
                    continue;
                if (++others == 2) {
                    facts[k].beaten = before(&r, i, facts[k].first);
                    break;
                }
            }
        }
    }
    /* step 2: candidates alone in their agency, grouped by needs taken: the best two */
    Py_ssize_t n_groups = 0;
    Table groups = {NULL, NULL, 0, 0};
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = row_agency[i];
        keep[i] = !facts[k].beaten;
        alone[i] = t.aggs[k].count == 1 && !r.waitlisted[i] && !facts[k].held && keep[i];
    }
    /* groups in a second table keyed by needs (reusing t's memory is not possible: t is live) */
    groups.index = malloc(sizeof(int32_t) * cap);
    groups.aggs = malloc(sizeof(Agg) * m);
    groups.mask = cap - 1;
    if (!groups.index || !groups.aggs) {
        free(groups.index);
        free(groups.aggs);
        PyErr_NoMemory();
        goto done;
    }
    memset(groups.index, 0xff, sizeof(int32_t) * cap);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!alone[i])
            continue;
        Agg *g = find(&groups, r.mask[i]);
        Py_ssize_t k = g - groups.aggs;
        if (g->count++ == 0) {
            group_first[k] = i;
            group_second[k] = -1;
            group_mask[k] = r.mask[i];
            n_groups++;
        }
        else if (before(&r, i, group_first[k])) {
            group_second[k] = group_first[k];
            group_first[k] = i;
        }
        else if (group_second[k] < 0 || before(&r, i, group_second[k]))
            group_second[k] = i;
    }
    free(groups.index);
    free(groups.aggs);
    /* kept: rows not alone (and not dropped), and each group's best, ascending */
    for (Py_ssize_t i = 0; i < n; i++)
        alone[i] = alone[i] ? 0 : keep[i]; /* reused: 1 where kept */
    for (Py_ssize_t k = 0; k < n_groups; k++)
        alone[group_first[k]] = 1;
    Py_ssize_t n_kept = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (alone[i])
            kept[n_kept++] = i;
    /* winners and runners-up, by needs taken (ascending: few groups, insertion sort) */
    Py_ssize_t n_pairs = 0;
    for (Py_ssize_t k = 0; k < n_groups; k++) {
        if (group_second[k] < 0)
            continue;
        Py_ssize_t at = n_pairs++;
        while (at > 0 && r.mask[winners[at - 1]] > group_mask[k]) {
            winners[at] = winners[at - 1];
            runners[at] = runners[at - 1];
            at--;
        }
        winners[at] = group_first[k];
        runners[at] = group_second[k];
    }
    result = Py_BuildValue("(NNN)", as_bytes(kept, n_kept), as_bytes(winners, n_pairs),
                           as_bytes(runners, n_pairs));
done:
    for (int k = 0; k < 7; k++)
        if (b[k].obj != NULL)
            PyBuffer_Release(&b[k]);
    free(t.index);
    free(t.aggs);
    free(facts);
    free(asked);
    free(row_agency);
    free(group_first);
    free(group_second);
    free(group_mask);
    free(kept);
    free(winners);
    free(runners);
    free(alone);
    free(keep);
    return result;
}

static PyMethodDef methods[] = {
    {"gather", gather, METH_VARARGS,
     "gather(rec, list_start, list_slots, grid_start, grid_slots, many_start, many_slots, "
     "evq_of, list_base, n_needs, needs, cells, skip, free, ok, universe, waitlist): (zero, "
     "far, waiting, agencies) as bytes of int64 (see matching.gather)."},
    {"union", union_of, METH_VARARGS,
     "union(start_a, slots_a, keys_a, start_b, slots_b, keys_b, n): the slots of those lists, "
     "each once, ascending, as bytes of int64 (see matching.gather)."},
    {"reduce_rows", reduce_rows, METH_VARARGS,
     "reduce_rows(slot, mask, agency, distance, spare, waitlisted, engaged, prune): (kept, "
     "winners, runners) as bytes of int64 (see matching.grouping)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "matching._gather",
    "Candidate passes in C (see matching.gather and matching.grouping).", -1, methods,
};

PyMODINIT_FUNC
PyInit__gather(void)
{
    return PyModule_Create(&module);
}

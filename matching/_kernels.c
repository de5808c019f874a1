/*
 * matching._kernels: great-circle distances from one point to many sites, in C.
 *
 * The arithmetic of directory.places.haversine_km and CandidateFinder._nearest, operation for
 * operation, with the C library functions CPython's float operations call (sin, pow for x ** 2,
 * sqrt, asin), so every distance is the same double the Python code computes. The Python
 * fallback and the reference is matching.kernels.site_km_python; tests compare the two bit for
 * bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

/* Take a C-contiguous 1-D buffer of `format` items from `obj` (writable when asked): "d" for
 * doubles, "q" for 64-bit integers (numpy's int64 says "l" where long has 64 bits). */
static int
take(PyObject *obj, Py_buffer *b, const char *name, const char *format, Py_ssize_t itemsize,
     int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, b, flags) < 0)
        return 0;
    const char *f = b->format == NULL ? "" : b->format;
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int same = strcmp(f, format) == 0 ||
               (strcmp(format, "q") == 0 && strcmp(f, "l") == 0 && sizeof(long) == 8);
    if (b->itemsize != itemsize || b->ndim != 1 || !same) {
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous 1-D array of '%s'", name, format);
        return 0;
    }
    return 1;
}

/* The sites' coordinates, radians and cosines of the latitudes: three arrays of one length. */
typedef struct {
    Py_buffer lat, lon, cos;
} Sites;

static int
take_sites(PyObject *olat, PyObject *olon, PyObject *ocos, Sites *S)
{
    if (!take(olat, &S->lat, "lat", "d", sizeof(double), 0) ||
        !take(olon, &S->lon, "lon", "d", sizeof(double), 0) ||
        !take(ocos, &S->cos, "cos", "d", sizeof(double), 0))
        return 0;
    if (S->lon.len != S->lat.len || S->cos.len != S->lat.len) {
        PyErr_SetString(PyExc_ValueError, "lat, lon and cos must match");
        return 0;
    }
    return 1;
}

static void
release_sites(Sites *S)
{
    PyBuffer_Release(&S->lat);
    PyBuffer_Release(&S->lon);
    PyBuffer_Release(&S->cos);
}

/* The km from the point (lat1, lon1 in radians, cos1 the cosine of lat1) to site t: the
 * haversine of directory.places.haversine_km, operation for operation. sin(x) ** 2 in Python
 * is pow(fabs(sin(x)), 2.0) (float_pow takes the absolute value of a negative base raised to
 * an integral power, even powers keep the sign); `two` is volatile at the callers so that the
 * compiler calls pow(x, 2.0), as CPython does, instead of folding it into x * x. */
static inline double
distance(const Sites *S, int64_t t, double lat1, double lon1, double cos1, double two_r,
         double two)
{
    const double *la = S->lat.buf, *lo = S->lon.buf, *co = S->cos.buf;
    double a = pow(fabs(sin((la[t] - lat1) / 2)), two);
    double b = pow(fabs(sin((lo[t] - lon1) / 2)), two);
    double h = a + cos1 * co[t] * b;
    double s = sqrt(h);
    return two_r * asin(s < 1.0 ? s : 1.0);
}

/* site_km(lat1, lon1, cos1, two_r, lat, lon, cos, index, out): for each k,
 * out[k] = distance (km) from the point (radians, cosine of its latitude) to site index[k]. */
static PyObject *
site_km(PyObject *self, PyObject *args)
{
    double lat1, lon1, cos1, two_r;
    PyObject *olat, *olon, *ocos, *oindex, *oout;
    Sites sites = {{0}, {0}, {0}};
    Py_buffer index = {0}, out = {0};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "ddddOOOOO", &lat1, &lon1, &cos1, &two_r, &olat, &olon, &ocos,
                          &oindex, &oout))
        return NULL;
    if (!take_sites(olat, olon, ocos, &sites) ||
        !take(oindex, &index, "index", "q", sizeof(int64_t), 0) ||
        !take(oout, &out, "out", "d", sizeof(double), 1))
        goto done;
    Py_ssize_t n_sites = sites.lat.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t n = index.len / (Py_ssize_t)sizeof(int64_t);
    if (out.len / (Py_ssize_t)sizeof(double) != n) {
        PyErr_SetString(PyExc_ValueError, "out must match index");
        goto done;
    }
    volatile double two = 2.0; /* see distance() */
    const int64_t *ix = index.buf;
    double *o = out.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (ix[k] < 0 || ix[k] >= n_sites) {
            PyErr_SetString(PyExc_IndexError, "site index out of range");
            goto done;
        }
    }
    for (Py_ssize_t k = 0; k < n; k++)
        o[k] = distance(&sites, ix[k], lat1, lon1, cos1, two_r, two);
    result = Py_None;
    Py_INCREF(result);
done:
    release_sites(&sites);
    PyBuffer_Release(&index);
    PyBuffer_Release(&out);
    return result;
}

/* nearest_km(lat1, lon1, cos1, two_r, lat, lon, cos, site_start, site_flat, slots, km, site):
 * for each k, the nearest of pathway slots[k]'s sites site_flat[site_start[p]:site_start[p+1]]
 * (in id order: a tie keeps the first), its distance in km[k] and its slot in site[k]; a
 * pathway without sites gets inf and -1. The distance is site_km's, operation for operation. */
static PyObject *
nearest_km(PyObject *self, PyObject *args)
{
    double lat1, lon1, cos1, two_r;
    PyObject *olat, *olon, *ocos, *ostart, *oflat, *oslots, *okm, *osite;
    Sites sites = {{0}, {0}, {0}};
    Py_buffer start = {0}, flat = {0}, slots = {0}, km = {0}, site = {0};
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "ddddOOOOOOOO", &lat1, &lon1, &cos1, &two_r, &olat, &olon, &ocos,
                          &ostart, &oflat, &oslots, &okm, &osite))
        return NULL;
    if (!take_sites(olat, olon, ocos, &sites) ||
        !take(ostart, &start, "site_start", "q", sizeof(int64_t), 0) ||
        !take(oflat, &flat, "site_flat", "q", sizeof(int64_t), 0) ||
        !take(oslots, &slots, "slots", "q", sizeof(int64_t), 0) ||
        !take(okm, &km, "km", "d", sizeof(double), 1) ||
        !take(osite, &site, "site", "q", sizeof(int64_t), 1))
        goto done;
    Py_ssize_t n_sites = sites.lat.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t n_path = start.len / (Py_ssize_t)sizeof(int64_t) - 1;
    Py_ssize_t n_flat = flat.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t n = slots.len / (Py_ssize_t)sizeof(int64_t);
    if (km.len / (Py_ssize_t)sizeof(double) != n || site.len / (Py_ssize_t)sizeof(int64_t) != n) {
        PyErr_SetString(PyExc_ValueError, "km and site must match slots");
        goto done;
    }
    const int64_t *st = start.buf, *fl = flat.buf, *sl = slots.buf;
    double *okm_ = km.buf;
    int64_t *osite_ = site.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        int64_t p = sl[k];
        if (p < 0 || p >= n_path || st[p] < 0 || st[p] > st[p + 1] || st[p + 1] > n_flat) {
            PyErr_SetString(PyExc_IndexError, "pathway slot or site offsets out of range");
            goto done;
        }
        for (int64_t j = st[p]; j < st[p + 1]; j++)
            if (fl[j] < 0 || fl[j] >= n_sites) {
                PyErr_SetString(PyExc_IndexError, "site index out of range");
                goto done;
            }
    }
    volatile double two = 2.0; /* see distance() */
    for (Py_ssize_t k = 0; k < n; k++) {
        int64_t p = sl[k];
        double best = HUGE_VAL;
        int64_t at = -1;
        for (int64_t j = st[p]; j < st[p + 1]; j++) { /* in id order: a tie keeps the first */
            double d = distance(&sites, fl[j], lat1, lon1, cos1, two_r, two);
            if (at < 0 || d < best) {
                best = d;
                at = fl[j];
            }
        }
        okm_[k] = best;
        osite_[k] = at;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release_sites(&sites);
    PyBuffer_Release(&start);
    PyBuffer_Release(&flat);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&km);
    PyBuffer_Release(&site);
    return result;
}

static PyMethodDef methods[] = {
    {"site_km", site_km, METH_VARARGS,
     "site_km(lat1, lon1, cos1, two_r, lat, lon, cos, index, out): distances, in km."},
    {"nearest_km", nearest_km, METH_VARARGS,
     "nearest_km(lat1, lon1, cos1, two_r, lat, lon, cos, site_start, site_flat, slots, km, "
     "site): each pathway's nearest site and its distance."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "matching._kernels", "Distances in C (see matching.kernels).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}

/* fpwork: real floating-point work in double and single precision, printed by the program
 * itself (no libc): Simpson integration of 4/(1+x^2) and of exp(-x^2) (with its own exp),
 * a 10x10 Hilbert system solved by Gaussian elimination with partial pivoting, Newton
 * square roots against fsqrt, a single-precision logistic map and Horner polynomial with
 * fused multiply-adds, integer conversions in every rounding mode, and the accrued fflags.
 * Every value is printed in decimal (its own formatting) and as raw bits, so any difference
 * in any instruction's result shows. Built with -march=rv64gc -mabi=lp64d -O2. */
#include "rt.h"

static u64 bits(double d) { u64 v; __builtin_memcpy(&v, &d, 8); return v; }
static u32 bits_f(float f) { u32 v; __builtin_memcpy(&v, &f, 4); return v; }

static void put_digits(u64 v, int width)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < width);
    while (n)
        uart_putc(buf[--n]);
}

/* d.ddddddddddddde+XX with `digits` digits after the point (decimal scaling in double). */
static void put_double(double x, int digits)
{
    if (x != x) {
        uart_puts("nan");
        return;
    }
    if (x < 0 || (x == 0 && (bits(x) >> 63))) {
        uart_putc('-');
        x = -x;
    }
    if (x == __builtin_inf()) {
        uart_puts("inf");
        return;
    }
    int e = 0;
    if (x != 0) {
        while (x >= 10.0) { x /= 10.0; e++; }
        while (x < 1.0) { x *= 10.0; e--; }
    }
    double scale = 1.0;
    for (int i = 0; i < digits; i++)
        scale *= 10.0;
    u64 m = (u64)(x * scale + 0.5);
    if (m >= (u64)(10.0 * scale)) {
        m /= 10;
        e++;
    }
    u64 ip = m / (u64)scale, fp = m % (u64)scale;
    put_digits(ip, 1);
    uart_putc('.');
    put_digits(fp, digits);
    uart_putc('e');
    uart_putc(e < 0 ? '-' : '+');
    put_digits((u64)(e < 0 ? -e : e), 2);
}

static void show(const char *label, double x)
{
    uart_puts(label);
    uart_puts(" = ");
    put_double(x, 15);
    uart_puts("  [");
    uart_puthex(bits(x));
    uart_puts("]\n");
}

static void show_f(const char *label, float x)
{
    uart_puts(label);
    uart_puts(" = ");
    put_double((double)x, 7);
    uart_puts("  [");
    uart_puthex(bits_f(x));
    uart_puts("]\n");
}

/* exp by range reduction x = k ln2 + r, |r| <= ln2/2, and a degree-13 Taylor series. */
static double my_exp(double x)
{
    const double ln2 = 0.6931471805599453;
    long k = (long)(x / ln2 + (x < 0 ? -0.5 : 0.5));
    double kf = (double)k;
    double r = x - kf * ln2;
    double term = 1.0, sum = 1.0;
    for (int i = 1; i <= 13; i++) {
        term *= r / i;
        sum += term;
    }
    u64 scale = (u64)(1023 + k) << 52;
    double s;
    __builtin_memcpy(&s, &scale, 8);
    return sum * s;
}

static double simpson(double (*f)(double), double a, double b, int n)
{
    double h = (b - a) / n, s = f(a) + f(b);
    for (int i = 1; i < n; i++)
        s += (i & 1 ? 4.0 : 2.0) * f(a + i * h);
    return s * h / 3.0;
}

static double arctan_integrand(double x) { return 4.0 / (1.0 + x * x); }
static double gauss_integrand(double x) { return my_exp(-x * x); }

#define N 10
static double A[N][N], B[N], X[N];

static void solve(void)
{
    for (int i = 0; i < N; i++) {
        B[i] = 0;
        for (int j = 0; j < N; j++) {
            A[i][j] = 1.0 / (i + j + 1);
            B[i] += A[i][j];
        }
    }
    static double M[N][N + 1];
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            M[i][j] = A[i][j];
        M[i][N] = B[i];
    }
    for (int c = 0; c < N; c++) {
        int p = c;
        for (int r = c + 1; r < N; r++)
            if (__builtin_fabs(M[r][c]) > __builtin_fabs(M[p][c]))
                p = r;
        for (int j = 0; j <= N; j++) {
            double t = M[c][j];
            M[c][j] = M[p][j];
            M[p][j] = t;
        }
        for (int r = c + 1; r < N; r++) {
            double f = M[r][c] / M[c][c];
            for (int j = c; j <= N; j++)
                M[r][j] -= f * M[c][j];
        }
    }
    for (int i = N - 1; i >= 0; i--) {
        double s = M[i][N];
        for (int j = i + 1; j < N; j++)
            s -= M[i][j] * X[j];
        X[i] = s / M[i][i];
    }
    double res = 0;
    for (int i = 0; i < N; i++) {
        double s = -B[i];
        for (int j = 0; j < N; j++)
            s += A[i][j] * X[j];
        res += s * s;
    }
    uart_puts("hilbert 10x10, solution of H x = H 1:\n");
    for (int i = 0; i < N; i++) {
        uart_puts("  x");
        put_digits((u64)i, 1);
        show("", X[i]);
    }
    show("  residual^2", res);
}

static double newton_sqrt(double a)
{
    double x = a > 1 ? a / 2 : 1.0;
    for (int i = 0; i < 60; i++)
        x = 0.5 * (x + a / x);
    return x;
}

/* fcvt.l.d in each static rounding mode. */
static void conversions(double v)
{
    long r[5];
    asm volatile("fcvt.l.d %0, %1, rne" : "=r"(r[0]) : "f"(v));
    asm volatile("fcvt.l.d %0, %1, rtz" : "=r"(r[1]) : "f"(v));
    asm volatile("fcvt.l.d %0, %1, rdn" : "=r"(r[2]) : "f"(v));
    asm volatile("fcvt.l.d %0, %1, rup" : "=r"(r[3]) : "f"(v));
    asm volatile("fcvt.l.d %0, %1, rmm" : "=r"(r[4]) : "f"(v));
    put_double(v, 3);
    uart_puts(" ->");
    for (int i = 0; i < 5; i++) {
        uart_putc(' ');
        uart_putdec(r[i]);
    }
    uart_putc('\n');
}

int main(void)
{
    uart_puts("fpwork: RV64GC floating point\n");
    csr_write(fflags, 0);

    for (int n = 2; n <= 1024; n *= 4) {
        uart_puts("pi by simpson n=");
        put_digits((u64)n, 1);
        show("", simpson(arctan_integrand, 0.0, 1.0, n));
    }
    show("integral exp(-x^2) 0..3", simpson(gauss_integrand, 0.0, 3.0, 600));
    show("exp(1)", my_exp(1.0));
    show("exp(-10)", my_exp(-10.0));
    show("exp(700)", my_exp(700.0));

    solve();

    for (double a = 0.5; a < 1e6; a *= 37.0) {
        double n = newton_sqrt(a), s = __builtin_sqrt(a);
        show("newton sqrt", n);
        show("fsqrt      ", s);
    }

    float x = 0.3f;
    for (int i = 0; i < 1000; i++)
        x = 3.9f * x * (1.0f - x);
    show_f("logistic map after 1000 (single)", x);
    float p = 0;
    const float c[6] = {1.0f, -0.5f, 0.25f, -0.125f, 0.0625f, -0.03125f};
    for (int i = 0; i < 6; i++)
        p = __builtin_fmaf(p, 0.7f, c[5 - i]);
    show_f("horner with fmadd.s", p);
    show("single to double", (double)(1.0f / 3.0f));
    show_f("double to single", (float)(1.0 / 3.0));

    const double vals[] = {2.5, -2.5, 3.5, -0.5, 1e19, -1e19, 123456.789};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++)
        conversions(vals[i]);

    show("tiny product", 1e-300 * 1e-10);
    show("huge product", 1e300 * 1e10);
    show("min over 3", __builtin_fmin(-0.0, 0.0));
    uart_puts("fflags = ");
    uart_puthex(csr_read(fflags));
    uart_puts("\nfpwork done\n");
    return 0;
}

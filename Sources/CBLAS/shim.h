#include <cblas.h>

// LAPACK's Cholesky solve, which OpenBLAS bundles (no lapacke.h needed for one routine).
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, int *info);

// LAPACK's symmetric eigendecomposition (also bundled by OpenBLAS).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

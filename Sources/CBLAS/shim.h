#include <cblas.h>

// The LAPACK routines that OpenBLAS bundles and ECNumerics calls (Fortran symbols, declared here so
// that no lapacke.h is needed). All matrices are column-major.

// Cholesky solve of a symmetric positive definite system.
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, int *info);

// Symmetric eigendecomposition.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

// Minimum-norm least squares by the SVD (divide and conquer).
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
             const int *ldb, double *s, const double *rcond, int *rank, double *work,
             const int *lwork, int *iwork, int *info);

#ifndef EC_CMPI_H
#define EC_CMPI_H

// The few MPI operations `ec` uses, on Open MPI's libmpi loaded at run time (MPILoader.c): a
// process that mpirun did not start never loads it, so `ec` needs no MPI library to run alone.
// Every function returns 0 on success, else an MPI error code (or -1 when libmpi is not loaded);
// byte counts are ints, as MPI takes them.

#include <stddef.h>
#include <stdint.h>

/// Whether this process was started by mpirun (Open MPI's or PMIx's rank variables are set).
int ec_mpi_launched(void);

/// Loads libmpi and initialises it with full thread support; on failure writes why into `error`.
int ec_mpi_start(char *error, size_t error_length);
/// Ends MPI after every rank has called it.
int ec_mpi_finish(void);

int ec_mpi_rank(int *rank);
int ec_mpi_size(int *size);
/// This rank's host name, as MPI reports it.
int ec_mpi_host(char *name, size_t length);

/// Every rank receives every rank's `send` bytes, rank r's `counts[r]` bytes at `offsets[r]`.
int ec_mpi_allgatherv(const void *send, int send_bytes, void *receive, const int *counts, const int *offsets);
/// The elementwise maximum over the ranks of `count` int64 values, on every rank.
int ec_mpi_allreduce_max(const int64_t *send, int64_t *receive, int count);
int ec_mpi_broadcast(void *buffer, int bytes, int root);

int ec_mpi_send(const void *buffer, int bytes, int destination, int tag);
/// Waits for a message with `tag` from any rank and reports its source and size.
int ec_mpi_probe(int tag, int *source, int *bytes);
/// As `ec_mpi_probe` without waiting: `found` says whether a message is there.
int ec_mpi_poll(int tag, int *found, int *source, int *bytes);
int ec_mpi_receive(void *buffer, int bytes, int source, int tag);

/// Ends every rank of the job with `code` (Open MPI's mpirun reports which rank called it).
void ec_mpi_abort(int code);

#endif

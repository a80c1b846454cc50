// Open MPI's libmpi, resolved with dlopen/dlsym only when mpirun started the process. mpi.h is
// included for the types and constants alone: its handles (MPI_COMM_WORLD, MPI_BYTE, MPI_MAX) are
// addresses of libmpi globals, which would make the linker require libmpi, so their addresses
// are looked up too. The library is opened RTLD_GLOBAL because Open MPI's plugins (the
// transports, PMIx) resolve libmpi's symbols from the global namespace.
#define _GNU_SOURCE
#include "CMPI.h"

#include <dlfcn.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static struct {
    int loaded;
    MPI_Comm world;
    MPI_Datatype byte, int64;
    MPI_Op max;
    __typeof__(MPI_Init_thread) *init_thread;
    __typeof__(MPI_Finalize) *finalize;
    __typeof__(MPI_Comm_rank) *comm_rank;
    __typeof__(MPI_Comm_size) *comm_size;
    __typeof__(MPI_Get_processor_name) *processor_name;
    __typeof__(MPI_Allgatherv) *allgatherv;
    __typeof__(MPI_Allreduce) *allreduce;
    __typeof__(MPI_Bcast) *bcast;
    __typeof__(MPI_Send) *send;
    __typeof__(MPI_Probe) *probe;
    __typeof__(MPI_Iprobe) *iprobe;
    __typeof__(MPI_Get_count) *get_count;
    __typeof__(MPI_Recv) *recv;
    __typeof__(MPI_Abort) *abort_job;
} mpi;

int ec_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

#define RESOLVE(field, symbol)                                                   \
    if (!(*(void **)&mpi.field = dlsym(library, symbol))) {                      \
        snprintf(error, error_length, "libmpi.so.40 lacks %s", symbol);          \
        return -1;                                                               \
    }

int ec_mpi_start(char *error, size_t error_length) {
    void *library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(error, error_length, "cannot load Open MPI (%s); install openmpi-bin and libopenmpi3", dlerror());
        return -1;
    }
    RESOLVE(world, "ompi_mpi_comm_world")
    RESOLVE(byte, "ompi_mpi_byte")
    RESOLVE(int64, "ompi_mpi_int64_t")
    RESOLVE(max, "ompi_mpi_op_max")
    // The handles are the globals' addresses, which dlsym returned.
    RESOLVE(init_thread, "MPI_Init_thread")
    RESOLVE(finalize, "MPI_Finalize")
    RESOLVE(comm_rank, "MPI_Comm_rank")
    RESOLVE(comm_size, "MPI_Comm_size")
    RESOLVE(processor_name, "MPI_Get_processor_name")
    RESOLVE(allgatherv, "MPI_Allgatherv")
    RESOLVE(allreduce, "MPI_Allreduce")
    RESOLVE(bcast, "MPI_Bcast")
    RESOLVE(send, "MPI_Send")
    RESOLVE(probe, "MPI_Probe")
    RESOLVE(iprobe, "MPI_Iprobe")
    RESOLVE(get_count, "MPI_Get_count")
    RESOLVE(recv, "MPI_Recv")
    RESOLVE(abort_job, "MPI_Abort")
    // The suite's writer thread on rank 0 receives while the rank's main thread computes.
    int provided = 0;
    int status = mpi.init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided);
    if (status != MPI_SUCCESS) {
        snprintf(error, error_length, "MPI_Init_thread failed (error %d)", status);
        return status;
    }
    if (provided < MPI_THREAD_MULTIPLE) {
        snprintf(error, error_length, "this Open MPI does not support MPI_THREAD_MULTIPLE (level %d)", provided);
        return -1;
    }
    mpi.loaded = 1;
    return 0;
}

#define REQUIRE_LOADED if (!mpi.loaded) return -1

int ec_mpi_finish(void) { REQUIRE_LOADED; return mpi.finalize(); }
int ec_mpi_rank(int *rank) { REQUIRE_LOADED; return mpi.comm_rank(mpi.world, rank); }
int ec_mpi_size(int *size) { REQUIRE_LOADED; return mpi.comm_size(mpi.world, size); }

int ec_mpi_host(char *name, size_t length) {
    REQUIRE_LOADED;
    char buffer[MPI_MAX_PROCESSOR_NAME + 1] = {0};
    int count = 0;
    int status = mpi.processor_name(buffer, &count);
    snprintf(name, length, "%s", buffer);
    return status;
}

int ec_mpi_allgatherv(const void *send, int send_bytes, void *receive, const int *counts, const int *offsets) {
    REQUIRE_LOADED;
    return mpi.allgatherv(send, send_bytes, mpi.byte, receive, counts, offsets, mpi.byte, mpi.world);
}

int ec_mpi_allreduce_max(const int64_t *send, int64_t *receive, int count) {
    REQUIRE_LOADED;
    return mpi.allreduce(send, receive, count, mpi.int64, mpi.max, mpi.world);
}

int ec_mpi_broadcast(void *buffer, int bytes, int root) {
    REQUIRE_LOADED;
    return mpi.bcast(buffer, bytes, mpi.byte, root, mpi.world);
}

int ec_mpi_send(const void *buffer, int bytes, int destination, int tag) {
    REQUIRE_LOADED;
    return mpi.send(buffer, bytes, mpi.byte, destination, tag, mpi.world);
}

int ec_mpi_probe(int tag, int *source, int *bytes) {
    REQUIRE_LOADED;
    MPI_Status status;
    int result = mpi.probe(MPI_ANY_SOURCE, tag, mpi.world, &status);
    if (result != MPI_SUCCESS) return result;
    *source = status.MPI_SOURCE;
    return mpi.get_count(&status, mpi.byte, bytes);
}

int ec_mpi_poll(int tag, int *found, int *source, int *bytes) {
    REQUIRE_LOADED;
    MPI_Status status;
    int result = mpi.iprobe(MPI_ANY_SOURCE, tag, mpi.world, found, &status);
    if (result != MPI_SUCCESS || !*found) return result;
    *source = status.MPI_SOURCE;
    return mpi.get_count(&status, mpi.byte, bytes);
}

int ec_mpi_receive(void *buffer, int bytes, int source, int tag) {
    REQUIRE_LOADED;
    return mpi.recv(buffer, bytes, mpi.byte, source, tag, mpi.world, MPI_STATUS_IGNORE);
}

void ec_mpi_abort(int code) {
    if (mpi.loaded) mpi.abort_job(mpi.world, code);
    exit(code);
}

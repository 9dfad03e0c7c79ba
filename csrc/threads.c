/* threads.c: the thread pool the kernels split their output over.
 *
 * One pool per process, started lazily with (threads - 1) workers; the calling thread does
 * task 0 itself. A kernel calls nnf_parallel(n_tasks, fn, ctx) and gets back when every
 * task has run. Tasks write disjoint parts of the output and never split a reduction, so a
 * result does not depend on how many threads computed it.
 *
 * Concurrency: one job at a time uses the pool. A second caller that finds it busy (another
 * Python thread in a kernel) runs its tasks on its own thread instead of waiting, so nothing
 * deadlocks and nothing is shared. Fork: the child starts with no workers (threads do not
 * survive fork) and a fresh pool is started on its first parallel call.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "nnfast.h"

/* Waking a sleeping thread costs tens of microseconds here (a futex, and on a virtual
 * machine an interrupt to a halted virtual CPU); kernels called back to back (a training
 * loop) would pay it every call. So a worker that has finished a job, and a caller waiting
 * for its workers, first poll for this long before sleeping on a condition variable. */
#define SPIN_NS 200000L

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}


/* Polls *word until (*word == value) == until_equal, or `stop` is set, or SPIN_NS pass. */
static void spin(const unsigned long *word, unsigned long value, int until_equal, const int *stop)
{
    long long deadline = now_ns() + SPIN_NS;
    for (int i = 0;; i++) {
        if ((__atomic_load_n(word, __ATOMIC_ACQUIRE) == value) == until_equal ||
            __atomic_load_n(stop, __ATOMIC_ACQUIRE))
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if ((i & 15) == 15 && now_ns() > deadline)
            return;
    }
}

static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER; /* held by the job's caller */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;      /* guards the fields below */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static pthread_t *workers;
static int n_workers;   /* running */
static int n_threads;   /* wanted, caller included; 0 = not set yet */
static int stopping;
static unsigned long generation; /* one per job */
static unsigned long start_generation; /* generation when the workers were started */
static nnf_task_fn job_fn;
static void *job_ctx;
static int job_tasks;
static unsigned long job_remaining; /* tasks not yet finished by workers */
static int atfork_installed;
static int caller_cpu = -1; /* the core the workers were last kept off */

int nnf_default_threads(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set); /* the cores this process may run on, not the machine's */
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void *worker_main(void *arg)
{
    int index = (int)(intptr_t)arg; /* runs task index + 1 */
    pthread_mutex_lock(&lock);
    /* Not `generation`: the first job may have been posted before this thread ran. */
    unsigned long seen = start_generation;
    for (;;) {
        if (generation == seen && !stopping) {
            pthread_mutex_unlock(&lock);
            spin(&generation, seen, 0, &stopping); /* until a new job */
            pthread_mutex_lock(&lock);
        }
        while (generation == seen && !stopping)
            pthread_cond_wait(&wake, &lock);
        if (stopping)
            break;
        seen = generation;
        if (index + 1 >= job_tasks)
            continue; /* not needed for this job */
        nnf_task_fn fn = job_fn;
        void *ctx = job_ctx;
        int tasks = job_tasks;
        pthread_mutex_unlock(&lock);
        fn(ctx, index + 1, tasks);
        pthread_mutex_lock(&lock);
        if (__atomic_sub_fetch(&job_remaining, 1, __ATOMIC_ACQ_REL) == 0)
            pthread_cond_signal(&done);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* With pool_busy held. */
static void stop_workers(void)
{
    pthread_mutex_lock(&lock);
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < n_workers; i++)
        pthread_join(workers[i], NULL);
    free(workers);
    workers = NULL;
    n_workers = 0;
    stopping = 0;
}

/* With pool_busy held: as many workers as n_threads asks for (fewer if threads cannot be
 * created: the job then simply runs on fewer). */
static void start_workers(void)
{
    int want = n_threads - 1;
    if (want <= 0 || n_workers == want)
        return;
    workers = malloc((size_t)want * sizeof *workers);
    if (!workers)
        return;
    start_generation = generation;
    caller_cpu = -1;
    while (n_workers < want &&
           pthread_create(&workers[n_workers], NULL, worker_main, (void *)(intptr_t)n_workers) == 0)
        n_workers++;
}

/* Keeps the workers off the core the caller runs on. Left alone, the scheduler often wakes a
 * worker on its waker's core, where it waits behind the caller (which is busy with task 0)
 * until load balancing moves one of them, milliseconds later. Only when the caller has moved
 * since the last job, so usually no system call. */
static void keep_workers_off_caller(void)
{
#ifdef CPU_COUNT
    int cpu = sched_getcpu();
    if (cpu < 0 || cpu == caller_cpu || n_workers == 0)
        return;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || !CPU_ISSET(cpu, &allowed) ||
        CPU_COUNT(&allowed) < 2)
        return;
    CPU_CLR(cpu, &allowed);
    for (int i = 0; i < n_workers; i++)
        pthread_setaffinity_np(workers[i], sizeof allowed, &allowed);
    caller_cpu = cpu;
#endif
}

static void atfork_prepare(void) { pthread_mutex_lock(&pool_busy); }
static void atfork_parent(void) { pthread_mutex_unlock(&pool_busy); }
static void atfork_child(void)
{
    /* The workers did not come along: forget them (their memory is the parent's to free). */
    workers = NULL;
    n_workers = 0;
    stopping = 0;
    caller_cpu = -1;
    pthread_mutex_init(&lock, NULL);
    pthread_cond_init(&wake, NULL);
    pthread_cond_init(&done, NULL);
    pthread_mutex_unlock(&pool_busy);
}

/* Not set yet: the default, fixed at this first use as at nnf_parallel's (asked each time, its
 * system call cost a C program's small kernels a third of a microsecond a call). */
int nnf_get_num_threads(void)
{
    if (__atomic_load_n(&n_threads, __ATOMIC_ACQUIRE) == 0)
        nnf_set_num_threads(0);
    return __atomic_load_n(&n_threads, __ATOMIC_ACQUIRE);
}

void nnf_set_num_threads(int n)
{
    pthread_mutex_lock(&pool_busy);
    if (!atfork_installed) {
        pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
        atfork_installed = 1;
    }
    if (n <= 0)
        n = nnf_default_threads();
    if (n != n_threads) {
        stop_workers();
        __atomic_store_n(&n_threads, n, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&pool_busy);
}

void nnf_parallel(int n_tasks, nnf_task_fn fn, void *ctx)
{
    if (n_tasks > 1 && pthread_mutex_trylock(&pool_busy) == 0) {
        if (n_threads == 0) { /* first use without set_num_threads: the default */
            pthread_mutex_unlock(&pool_busy);
            nnf_set_num_threads(0);
            pthread_mutex_lock(&pool_busy);
        }
        start_workers();
        keep_workers_off_caller();
        if (n_tasks > n_workers + 1)
            n_tasks = n_workers + 1;
        if (n_tasks > 1) {
            pthread_mutex_lock(&lock);
            job_fn = fn;
            job_ctx = ctx;
            job_tasks = n_tasks;
            job_remaining = (unsigned long)(n_tasks - 1);
            __atomic_store_n(&generation, generation + 1, __ATOMIC_RELEASE);
            pthread_cond_broadcast(&wake);
            pthread_mutex_unlock(&lock);
            fn(ctx, 0, n_tasks);
            spin(&job_remaining, 0, 1, &stopping); /* until the workers are done */
            pthread_mutex_lock(&lock);
            while (job_remaining > 0)
                pthread_cond_wait(&done, &lock);
            pthread_mutex_unlock(&lock);
            pthread_mutex_unlock(&pool_busy);
            return;
        }
        pthread_mutex_unlock(&pool_busy);
    }
    for (int t = 0; t < n_tasks; t++) /* one thread: the caller runs every task */
        fn(ctx, t, n_tasks);
}

#ifndef KAIBAN_CKAIBANSYSTEM_SHIM_H
#define KAIBAN_CKAIBANSYSTEM_SHIM_H

// The GNU C library's calls that Swift's Glibc module leaves out (declared only under _GNU_SOURCE).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <unistd.h>

/// Flushes every file of the file system holding `fd` to the disk at once (syncfs(2), Linux);
/// 0, or -1 with errno set (ENOSYS where the system has no syncfs).
static inline int kaiban_syncfs(int fd) {
#ifdef __linux__
    return syncfs(fd);
#else
    (void)fd;
    errno = ENOSYS;  // the caller flushes each file instead
    return -1;
#endif
}

/// Swift's runtime hook through which every job for the global concurrent executor passes when
/// set (libswift_Concurrency; NIO finds it with dlsym, which a binary linked with a static Swift
/// runtime does not export).
extern void *_Nullable swift_task_enqueueGlobal_hook;

/// Where Swift's runtime keeps that hook.
static inline void *_Nullable *_Nonnull kaiban_enqueue_global_hook(void) {
    return &swift_task_enqueueGlobal_hook;
}

#endif

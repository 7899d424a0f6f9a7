// LD_PRELOAD shim for the llama.cpp side of the benchmark: refuses the AMX tile permission
// (arch_prctl ARCH_REQ_XCOMP_PERM), so ggml reports "AMX is not ready" and keeps its AVX-512 and
// repacked CPU kernels. Its AMX matrix multiply segfaults on this VM's CPU (llama.cpp issue
// #20824), and the laptops the comparison is for have no AMX.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

enum { kArchReqXcompPerm = 0x1023 };

long syscall(long number, ...)
{
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; ++i)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_arch_prctl && a[0] == kArchReqXcompPerm) {
        errno = EPERM;
        return -1;
    }
    static long (*real)(long, ...);
    if (!real)
        real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * Test shim for wine 8.0 (Debian 12), never shipped: Windows 10 and newer have bcryptprimitives.dll,
 * whose ProcessPrng Rust's std imports for its random numbers, but wine added that DLL only after 8.0.
 * ci/smoke/run compiles this with zig and puts it into its own wine prefix's system32, so that the real
 * windows-x86_64 library loads there unchanged. ProcessPrng is documented to always succeed and fill
 * the buffer with random bytes; BCryptGenRandom with the system RNG does the same.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000u ? 0x40000000u : (ULONG) length;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

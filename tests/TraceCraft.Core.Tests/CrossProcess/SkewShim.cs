using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace TraceCraft.Tests.CrossProcess
{
    /// <summary>
    /// An LD_PRELOAD library that shifts a process's wall clock by SKEW_SECONDS (monotonic clocks untouched), built
    /// with gcc in the test run (never committed as a binary). Same source as the team's tools/skew/skew.c.
    /// </summary>
    internal static class SkewShim
    {
        private const string Source = """
            /* LD_PRELOAD shim: shifts the wall clock by SKEW_SECONDS (monotonic clocks untouched). */
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <stdlib.h>
            #include <time.h>
            #include <sys/time.h>

            static long skew(void) { const char *s = getenv("SKEW_SECONDS"); return s ? atol(s) : 0; }

            int clock_gettime(clockid_t id, struct timespec *ts) {
                static int (*real)(clockid_t, struct timespec *);
                if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
                int r = real(id, ts);
                if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += skew();
                return r;
            }

            int gettimeofday(struct timeval *tv, void *tz) {
                static int (*real)(struct timeval *, void *);
                if (!real) real = dlsym(RTLD_NEXT, "gettimeofday");
                int r = real(tv, tz);
                if (r == 0 && tv) tv->tv_sec += skew();
                return r;
            }

            time_t time(time_t *t) {
                struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts);
                if (t) *t = ts.tv_sec;
                return ts.tv_sec;
            }
            """;

        /// <summary>Builds the shim into <paramref name="folder"/> and returns the library's path.</summary>
        public static async Task<string> BuildAsync(string folder)
        {
            string c = Path.Combine(folder, "skew.c"), library = Path.Combine(folder, "skew.so");
            if (File.Exists(library)) return library;
            await File.WriteAllTextAsync(c, Source);
            var start = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-shared", "-fPIC", "-O2", "-o", library, c, "-ldl" }) start.ArgumentList.Add(a);
            using var gcc = Process.Start(start)!;
            string errors = await gcc.StandardError.ReadToEndAsync();
            await gcc.WaitForExitAsync();
            Assert.True(gcc.ExitCode == 0, "gcc could not build the clock shim: " + errors);
            return library;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace TraceCraft.PowerShell
{
    /// <summary>
    /// Loads the module's dependencies (TraceCraft.Core, AWSSDK, ...) from its <c>dependencies/</c> folder, where the
    /// default loader cannot see them. On PowerShell 7 they go into an AssemblyLoadContext of their own, so
    /// TraceCraft works beside a module that loaded another AWSSDK.Core (AWS.Tools), and the default context is
    /// answered only for our own assemblies (TraceCraft.Core, TraceCraft.CommandLine). Windows PowerShell 5.1 has one context, so there the module
    /// answers AssemblyResolve, but only for a file of its dependency folder requested by one of its own assemblies
    /// (<see cref="DependencyFileFor"/>): another module's AWSSDK.Core request is left to that module. The binary
    /// targets netstandard2.0, which has no AssemblyLoadContext type, so the context is created and hooked through
    /// reflection.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

        private static readonly object Gate = new object();
        private static Dictionary<string, Assembly>? _isolated;
        private static Delegate? _defaultResolving;
        private static EventInfo? _resolvingEvent;
        private static object? _defaultContext;

        public void OnImport()
        {
            if (!Directory.Exists(DependencyFolder))
                throw new InvalidOperationException(
                    $"TraceCraft cannot load: its dependency folder '{DependencyFolder}' is missing. Import the module from its built layout (run ./build.ps1; it writes out/TraceCraft/<version>/), not from a bin folder.");
            lock (Gate)
            {
                var alcType = Type.GetType("System.Runtime.Loader.AssemblyLoadContext");
                if (alcType is null)
                {
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyFolder;
                    PreloadSqliteOnWindowsPowerShell();
                }
                else if (_isolated is null) HookIsolatedContext(alcType);
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (Gate)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencyFolder;
                // The isolated context stays: types already handed out live in it, and it is not collectible.
            }
        }

        /// <summary>
        /// Creates the "TraceCraft" context and loads every dependency into it up front, so that binding inside it
        /// finds our AWSSDK versions first. Assemblies the runtime itself ships (System.Text.Json, System.Memory...)
        /// are left to the default context, so there is one Span and one JsonElement in the process.
        /// </summary>
        private static void HookIsolatedContext(Type alcType)
        {
            var platform = new HashSet<string>(
                ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
                    .Split(Path.PathSeparator).Where(p => p.Length > 0).Select(Path.GetFileNameWithoutExtension)!,
                StringComparer.OrdinalIgnoreCase);
            var context = Activator.CreateInstance(alcType, "TraceCraft", false)!;
            var loadFromPath = alcType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })!;
            var isolated = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in Directory.GetFiles(DependencyFolder, "*.dll"))
            {
                string name = Path.GetFileNameWithoutExtension(file);
                if (platform.Contains(name)) continue;
                isolated[name] = (Assembly)loadFromPath.Invoke(context, new object[] { file })!;
            }
            _isolated = isolated;

            // SQLite (Hermes sessions) is native: its DllImport("e_sqlite3") from our context is answered with the
            // library of this platform from dependencies/runtimes/<rid>/native, where no default probe looks.
            var unmanagedEvent = alcType.GetEvent("ResolvingUnmanagedDll");
            var unmanagedHandler = typeof(ModuleInitializer).GetMethod(nameof(ResolveNativeLibrary), BindingFlags.NonPublic | BindingFlags.Static)!;
            unmanagedEvent?.AddEventHandler(context, Delegate.CreateDelegate(unmanagedEvent.EventHandlerType!, unmanagedHandler));

            // The cmdlet assembly lives in the default context; when it asks for TraceCraft.Core or TraceCraft.CommandLine,
            // answer with ours.
            _defaultContext = alcType.GetProperty("Default")!.GetValue(null)!;
            _resolvingEvent = alcType.GetEvent("Resolving")!;
            var handler = typeof(ModuleInitializer).GetMethod(nameof(ResolveIsolated), BindingFlags.NonPublic | BindingFlags.Static)!;
            _defaultResolving = Delegate.CreateDelegate(_resolvingEvent.EventHandlerType!, handler);
            _resolvingEvent.AddEventHandler(_defaultContext, _defaultResolving);
        }

        /// <summary>The native libraries the module ships (by the name their DllImport asks for), per runtime, under dependencies/runtimes.</summary>
        private static readonly Dictionary<string, string[]> NativeFiles = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["e_sqlite3"] = new[] { "libe_sqlite3.so", "libe_sqlite3.dylib", "e_sqlite3.dll" },
        };

        private static IntPtr ResolveNativeLibrary(Assembly requester, string name)
        {
            if (!NativeFiles.TryGetValue(name, out var files) || NativeLibraryPath(files) is not string path) return IntPtr.Zero;
            var load = Type.GetType("System.Runtime.InteropServices.NativeLibrary")?.GetMethod("Load", new[] { typeof(string) });
            return load is null ? IntPtr.Zero : (IntPtr)load.Invoke(null, new object[] { path })!;
        }

        /// <summary>The first of <paramref name="files"/> in the runtime folder of this OS and processor (musl Linux second).</summary>
        internal static string? NativeLibraryPath(string[] files)
        {
            string arch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            var os = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows) ? new[] { "win" }
                : System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX) ? new[] { "osx" }
                : new[] { "linux", "linux-musl" };
            foreach (var prefix in os)
                foreach (var file in files)
                {
                    string path = Path.Combine(DependencyFolder, "runtimes", prefix + "-" + arch, "native", file);
                    if (File.Exists(path)) return path;
                }
            return null;
        }

        [System.Runtime.InteropServices.DllImport("kernel32", CharSet = System.Runtime.InteropServices.CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);

        /// <summary>
        /// Windows PowerShell 5.1 has no unmanaged-library event: loading e_sqlite3.dll by its full path up front makes the
        /// later DllImport("e_sqlite3") find the module already in the process. Best effort: without it only Hermes fails.
        /// </summary>
        private static void PreloadSqliteOnWindowsPowerShell()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)) return;
            if (NativeLibraryPath(NativeFiles["e_sqlite3"]) is string path) LoadLibraryW(path);
        }

        private static Assembly? ResolveIsolated(object context, AssemblyName name) =>
            name.Name is string n && OwnAssemblies.Contains(n) && _isolated is not null && _isolated.TryGetValue(n, out var assembly) ? assembly : null;

        /// <summary>The module's own assemblies in the dependency folder: the only names the default context is answered for.</summary>
        private static readonly HashSet<string> OwnAssemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "TraceCraft.Core", "TraceCraft.CommandLine" };

        private static Assembly? ResolveFromDependencyFolder(object? sender, ResolveEventArgs args) =>
            DependencyFileFor(args.Name, args.RequestingAssembly) is string path ? Assembly.LoadFrom(path) : null;

        /// <summary>
        /// The file of our dependency folder that answers a load request, or null to leave the request alone: the
        /// name must be a file there, and the requester the cmdlet assembly or an assembly loaded from that folder
        /// (AWSSDK.S3 asking for AWSSDK.Core). A request without a known requester (a load by name) is not ours to
        /// answer either: the runtime gives every static reference its requester.
        /// </summary>
        internal static string? DependencyFileFor(string requestedName, Assembly? requester)
        {
            if (requester is null || !(requester == typeof(ModuleInitializer).Assembly || IsFromDependencyFolder(requester))) return null;
            string name = new AssemblyName(requestedName).Name ?? "";
            if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) return null;
            string path = Path.Combine(DependencyFolder, name + ".dll");
            return File.Exists(path) ? path : null;
        }

        private static bool IsFromDependencyFolder(Assembly assembly)
        {
            if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location)) return false;
            return string.Equals(Path.GetDirectoryName(assembly.Location), DependencyFolder, StringComparison.OrdinalIgnoreCase);
        }
    }
}

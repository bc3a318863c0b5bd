using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// The one home for files TraceCraft keeps on this machine: the config, the inbox cache (messages, cursors,
    /// receipts), the heartbeat marker, anything under TRACECRAFT_HOME. Each is written whole or not at all (a
    /// temporary file renamed into place) and is private from its first byte: on Unix mode 600 in folders of mode
    /// 700, on Windows an ACL that admits the current user only.
    /// <para>
    /// No window: a temporary file is made private before a byte goes in, and it lives in a folder no one else can
    /// enter (a private cache folder, or for the config, which sits in the user's working folder, a private staging
    /// folder of its own), so no other user can open it in the moment before its mode is set and keep reading.
    /// </para>
    /// <para>
    /// The module ships the netstandard2.0 build, which PowerShell 7 also runs on Linux and macOS; netstandard2.0
    /// has no File.SetUnixFileMode, so that build calls libc's chmod and mkdir (not variadic, same on every Unix).
    /// </para>
    /// </summary>
    internal static class LocalFiles
    {
        private const int OwnerReadWrite = 0x180; // 0600
        private const int OwnerOnlyFolder = 0x1C0; // 0700

        /// <summary>Writes a cache or marker file in a private folder of ours; a failure costs only speed, so it is swallowed.</summary>
        public static void WriteAtomic(string file, byte[] body)
        {
            try
            {
                Write(file, body, folderIsOurs: true);
                SweepStaleTemporaries(file);
            }
            catch (IOException)
            {
                // A cache that cannot be written costs only speed: the next read rebuilds it from the store.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>A temporary file that a writer killed before its rename left is removed once it is this old.</summary>
        internal static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromMinutes(10);

        /// <summary>Removes the temporaries (<c>file.&lt;tag&gt;.tmp</c>) that killed writers of this file left, once surely not in use.</summary>
        private static void SweepStaleTemporaries(string file)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            foreach (var temp in Directory.EnumerateFiles(folder, Path.GetFileName(file) + ".*.tmp"))
            {
                try
                {
                    if (DateTime.UtcNow - File.GetLastWriteTimeUtc(temp) > StaleTemporaryAge) File.Delete(temp);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        /// <summary>Writes a private file (the config) into a folder that is the user's, not ours; failures throw.</summary>
        public static void WritePrivate(string file, byte[] body) => Write(file, body, folderIsOurs: false);

        /// <summary>
        /// Creates a folder of local state and every missing folder above it with mode 700 (Unix), and makes the
        /// folders from <paramref name="ownedFrom"/> down to it mode 700 even if an older version made them 755.
        /// Without <paramref name="ownedFrom"/> only <paramref name="folder"/> itself is tightened. A few chmod calls
        /// at each use, which cost far less than the store requests around them.
        /// </summary>
        public static void CreatePrivateFolder(string folder, string? ownedFrom = null)
        {
            folder = Path.GetFullPath(folder);
            if (IsWindows)
            {
                Directory.CreateDirectory(folder);
                return;
            }
            if (!Directory.Exists(folder)) MakeFolders(folder);
            string? top = ownedFrom is null ? folder : Path.GetFullPath(ownedFrom).TrimEnd(Path.DirectorySeparatorChar);
            for (string? current = folder; current is not null; current = Path.GetDirectoryName(current))
            {
                SetUnixMode(current, OwnerOnlyFolder);
                if (string.Equals(current, top, StringComparison.Ordinal) || !current.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal)) break;
            }
        }

        /// <summary><see cref="CreatePrivateFolder"/> for a cache, which works without its folder (only slower).</summary>
        public static void TryCreatePrivateFolder(string folder, string? ownedFrom = null)
        {
            try
            {
                CreatePrivateFolder(folder, ownedFrom);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static void Write(string file, byte[] body, bool folderIsOurs)
        {
            file = Path.GetFullPath(file);
            string folder = Path.GetDirectoryName(file)!;
            string tag = Guid.NewGuid().ToString("N").Substring(0, 8);
            string staging;
            if (folderIsOurs)
            {
                CreatePrivateFolder(folder);
                staging = folder;
            }
            else
            {
                Directory.CreateDirectory(folder);
                staging = Path.Combine(folder, "." + Path.GetFileName(file) + "." + tag + ".tmp");
                MakePrivateFolder(staging);
            }
            string temp = folderIsOurs ? file + "." + tag + ".tmp" : Path.Combine(staging, Path.GetFileName(file));
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    RestrictToOwner(temp);
                    stream.Write(body, 0, body.Length);
                }
                if (File.Exists(file)) File.Replace(temp, file, null);
                else File.Move(temp, file);
                // Windows' ReplaceFile gives the new file the old one's ACL: set ours again.
                if (IsWindows) RestrictToOwner(file);
            }
            finally
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                if (!folderIsOurs)
                    try { Directory.Delete(staging); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

#if NET
        [System.Runtime.Versioning.SupportedOSPlatformGuard("windows")]
#endif
        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Mode 600 on Unix; on Windows a protected ACL that grants the current user full control and no one else anything.</summary>
        private static void RestrictToOwner(string path)
        {
            if (IsWindows) WindowsAcl.RestrictToCurrentUser(path);
            else SetUnixMode(path, OwnerReadWrite);
        }

        /// <summary>Creates one new folder, private from the start; it must not exist yet.</summary>
        private static void MakePrivateFolder(string folder)
        {
            if (IsWindows)
            {
                if (Directory.Exists(folder)) throw new IOException($"'{folder}' already exists.");
                Directory.CreateDirectory(folder);
                WindowsAcl.RestrictToCurrentUser(folder);
                return;
            }
#if NET
            if (Directory.Exists(folder)) throw new IOException($"'{folder}' already exists.");
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
#else
            if (mkdir(folder, OwnerOnlyFolder) != 0)
                throw new IOException($"Cannot create the folder '{folder}' (errno {Marshal.GetLastWin32Error()}).");
#endif
        }

        /// <summary>Creates a folder and the missing ones above it, each with mode 700 from the start (Unix).</summary>
#if NET
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
#endif
        private static void MakeFolders(string folder)
        {
            // Level by level: .NET's Directory.CreateDirectory(path, mode) gives the mode to the last folder only.
            string? parent = Path.GetDirectoryName(folder);
            if (parent is not null && !Directory.Exists(parent)) MakeFolders(parent);
#if NET
            // Another process may create it at the same moment: what matters is that it exists.
            try { Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
            catch (IOException) when (Directory.Exists(folder)) { }
#else
            if (mkdir(folder, OwnerOnlyFolder) != 0 && !Directory.Exists(folder))
                throw new IOException($"Cannot create the folder '{folder}' (errno {Marshal.GetLastWin32Error()}).");
#endif
        }

#if NET
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
#endif
        private static void SetUnixMode(string path, int mode)
        {
#if NET
            File.SetUnixFileMode(path, (UnixFileMode)mode);
#else
            if (chmod(path, mode) != 0)
                throw new IOException($"chmod {Convert.ToString(mode, 8)} failed on '{path}' (errno {Marshal.GetLastWin32Error()}).");
#endif
        }

#if !NET
        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int mkdir(string path, int mode);
#endif

        /// <summary>
        /// An owner-only ACL through advapi32, so that both builds (netstandard2.0 in Windows PowerShell 5.1 and
        /// PowerShell 7, net10.0 in the native CLI) share one path and the module ships no extra assembly.
        /// The DACL is protected (nothing inherited) and has one ACE: full control for the current user's SID.
        /// </summary>
        private static class WindowsAcl
        {
            private const uint DaclSecurityInformation = 0x4;
            private const int ErrorNotSupported = 50;
            private const int ErrorInvalidFunction = 1;

            public static void RestrictToCurrentUser(string path)
            {
                string sddl = "D:P(A;;FA;;;" + CurrentUserSid() + ")";
                if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, 1, out IntPtr descriptor, IntPtr.Zero))
                    throw Failure("build an ACL for", path);
                try
                {
                    if (!SetFileSecurityW(path, DaclSecurityInformation, descriptor))
                    {
                        int error = Marshal.GetLastWin32Error();
                        // A file system without ACLs (FAT, exFAT) protects nothing either way: nothing to set.
                        if (error is ErrorNotSupported or ErrorInvalidFunction) return;
                        throw new IOException($"Cannot restrict '{path}' to its owner: {new Win32Exception(error).Message}");
                    }
                }
                finally
                {
                    LocalFree(descriptor);
                }
            }

            private static string CurrentUserSid()
            {
                if (!OpenProcessToken(GetCurrentProcess(), 0x8 /* TOKEN_QUERY */, out IntPtr token))
                    throw Failure("read the current user of", "this process");
                try
                {
                    GetTokenInformation(token, 1 /* TokenUser */, IntPtr.Zero, 0, out int length);
                    IntPtr buffer = Marshal.AllocHGlobal(length);
                    try
                    {
                        if (!GetTokenInformation(token, 1, buffer, length, out length))
                            throw Failure("read the current user of", "this process");
                        // TOKEN_USER starts with SID_AND_ATTRIBUTES, which starts with the SID pointer.
                        if (!ConvertSidToStringSidW(Marshal.ReadIntPtr(buffer), out IntPtr text))
                            throw Failure("read the current user of", "this process");
                        try { return Marshal.PtrToStringUni(text)!; }
                        finally { LocalFree(text); }
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(buffer);
                    }
                }
                finally
                {
                    CloseHandle(token);
                }
            }

            private static IOException Failure(string what, string path) =>
                new IOException($"Cannot {what} '{path}': {new Win32Exception(Marshal.GetLastWin32Error()).Message}");

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool ConvertStringSecurityDescriptorToSecurityDescriptorW(string sddl, uint revision, out IntPtr descriptor, IntPtr size);

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool SetFileSecurityW(string path, uint information, IntPtr descriptor);

            [DllImport("advapi32.dll", SetLastError = true)]
            private static extern bool OpenProcessToken(IntPtr process, uint access, out IntPtr token);

            [DllImport("advapi32.dll", SetLastError = true)]
            private static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr buffer, int length, out int returned);

            [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
            private static extern bool ConvertSidToStringSidW(IntPtr sid, out IntPtr text);

            [DllImport("kernel32.dll")]
            private static extern IntPtr GetCurrentProcess();

            [DllImport("kernel32.dll", SetLastError = true)]
            private static extern bool CloseHandle(IntPtr handle);

            [DllImport("kernel32.dll")]
            private static extern IntPtr LocalFree(IntPtr memory);
        }
    }
}

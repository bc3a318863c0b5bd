using System;
using System.IO;

namespace TraceCraft.Protocol
{
    /// <summary>Local state files (caches, markers): written whole or not at all, private to the user on Unix.</summary>
    internal static class LocalFiles
    {
        public static void WriteAtomic(string file, byte[] body)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            string temp = file + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                File.WriteAllBytes(temp, body);
                if (File.Exists(file)) File.Replace(temp, file, null);
                else File.Move(temp, file);
            }
            catch (IOException)
            {
                // A cache that cannot be written costs only speed: the next read rebuilds it from the store.
            }
            catch (UnauthorizedAccessException)
            {
            }
            finally
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
            }
        }
    }
}

using System;
using System.Globalization;
using System.Text.Json;
using TraceCraft.Errors;

namespace TraceCraft.Wire
{
    /// <summary>
    /// The size and nesting limits of stored objects, in one place, so that nothing we write is refused by a read.
    /// A read accepts more than a write produces: whatever another client (the original Python CLI) could have
    /// written must still be readable, while what we write must also be readable by that client.
    /// </summary>
    public static class WireLimits
    {
        /// <summary>Coordination objects are small; a bigger one is refused rather than parsed (a 50 MB "message").</summary>
        public const int MaxObjectBytes = 8 << 20;

        /// <summary>
        /// Nesting a read accepts (the object itself is level 1). Python's json module, bounded by its default recursion
        /// limit of 1000, cannot write more than about 990 levels, so every value any client can write is read.
        /// </summary>
        public const int MaxReadDepth = 2048;

        /// <summary>
        /// Nesting of a value we write (its object adds one level). Well below <see cref="MaxReadDepth"/>, and low
        /// enough that the original's json.loads (recursion limit 1000) still reads it.
        /// </summary>
        public const int MaxValueDepth = 512;

        /// <summary>Throws <see cref="TcErrorCode.ValueTooLarge"/> when a body about to be written could not be read back.</summary>
        public static void CheckWritable(byte[] body, string what, string key)
        {
            if (body.Length > MaxObjectBytes)
                throw new TcException(TcErrorCode.ValueTooLarge,
                    $"{what} would be stored as {Size(body.Length)}, more than the limit of {Size(MaxObjectBytes)} for one object (every reader refuses bigger ones). Store large content as an artifact and send or set its name instead.",
                    key);
        }

        /// <summary>Throws <see cref="TcErrorCode.ValueTooLarge"/> early for a value that alone is already over the limit.</summary>
        public static void CheckValueLength(long utf8Bytes, string what, string key)
        {
            if (utf8Bytes > MaxObjectBytes)
                throw new TcException(TcErrorCode.ValueTooLarge,
                    $"{what} is {Size(utf8Bytes)}, more than the limit of {Size(MaxObjectBytes)} for one object (every reader refuses bigger ones). Store large content as an artifact and send or set its name instead.",
                    key);
        }

        /// <summary>Throws <see cref="TcErrorCode.ValueTooDeep"/> when a value nests deeper than we write.</summary>
        public static void CheckValueDepth(int depth, string what, string key)
        {
            if (depth > MaxValueDepth)
                throw new TcException(TcErrorCode.ValueTooDeep,
                    $"{what} nests {depth} levels deep; at most {MaxValueDepth} levels are written, so that every client can read it back. Flatten the value.",
                    key);
        }

        /// <summary>Parser options for stored objects: the read limits.</summary>
        internal static JsonDocumentOptions ReadOptions => new JsonDocumentOptions { MaxDepth = MaxReadDepth };

        /// <summary>A byte count as people read it: '9.0 MiB', '512 KiB', '17 bytes'.</summary>
        public static string Size(long bytes)
        {
            if (bytes >= 1 << 20) return (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
            if (bytes >= 1 << 10) return (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB";
            return bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
        }
    }
}

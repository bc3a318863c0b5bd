using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Storage
{
    /// <summary>Conveniences built only on the <see cref="IObjectStore"/> contract, so every backend gets them.</summary>
    public static class ObjectStoreExtensions
    {
        /// <summary>Every key under a prefix, page after page.</summary>
        public static async Task<List<ObjectInfo>> ListAllAsync(this IObjectStore store, string prefix, string? startAfter = null, CancellationToken cancellationToken = default)
        {
            var all = new List<ObjectInfo>();
            string? after = startAfter;
            while (true)
            {
                var page = await store.ListAsync(prefix, after, 1000, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Objects);
                if (!page.IsTruncated || page.Objects.Count == 0) return all;
                after = page.Objects[page.Objects.Count - 1].Key;
            }
        }
    }
}

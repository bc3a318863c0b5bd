using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Storage
{
    /// <summary>Conveniences built only on the <see cref="IObjectStore"/> contract, so every backend gets them.</summary>
    public static class ObjectStoreExtensions
    {
        /// <summary>Keys per listing page (S3's maximum).</summary>
        public const int ListPageSize = 1000;

        /// <summary>How many list requests a listing of <paramref name="objects"/> keys costs (an empty listing is one).</summary>
        public static int ListPagesFor(int objects) => System.Math.Max(1, (objects + ListPageSize - 1) / ListPageSize);

        /// <summary>Every key under a prefix, page after page.</summary>
        public static async Task<List<ObjectInfo>> ListAllAsync(this IObjectStore store, string prefix, string? startAfter = null, CancellationToken cancellationToken = default)
        {
            var all = new List<ObjectInfo>();
            string? after = startAfter;
            while (true)
            {
                var page = await store.ListAsync(prefix, after, ListPageSize, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Objects);
                if (!page.IsTruncated || page.Objects.Count == 0) return all;
                after = page.Objects[page.Objects.Count - 1].Key;
            }
        }
    }
}

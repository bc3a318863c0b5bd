using TraceCraft.Storage;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Notes when the PUT of one key returned (and how long it took), from the completer's request observer.</summary>
    public sealed class WriteProbe
    {
        private string? _key;
        private long _at;
        private double _ms;

        public void Watch(string key)
        {
            lock (this)
            {
                _key = key;
                _at = 0;
                _ms = 0;
            }
        }

        public void Observe(StoreRequest request)
        {
            long now = Time.Now;
            lock (this)
            {
                if (_at == 0 && request.Key == _key && request.Method == "PUT" && request.Outcome == "200")
                {
                    _at = now;
                    _ms = request.Milliseconds;
                }
            }
        }

        public (long At, double Ms) Result()
        {
            lock (this) return (_at, _ms);
        }
    }
}

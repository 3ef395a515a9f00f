package v5wire

// lru is a map of at most limit entries that evicts the least recently used
// one (by get and add) to make room. It is not safe for concurrent use.
type lru[K comparable, V any] struct {
	limit int
	items map[K]*lruItem[K, V]
	// root is the sentinel of a circular list: root.next is the most
	// recently used item, root.prev the least.
	root lruItem[K, V]
}

type lruItem[K comparable, V any] struct {
	key        K
	val        V
	prev, next *lruItem[K, V]
}

// newLRU returns an empty cache for limit entries; limit must be positive.
func newLRU[K comparable, V any](limit int) lru[K, V] {
	if limit < 1 {
		panic("v5wire: LRU limit must be positive")
	}
	return lru[K, V]{limit: limit, items: make(map[K]*lruItem[K, V])}
}

func (l *lru[K, V]) init() {
	if l.root.next == nil {
		l.root.next, l.root.prev = &l.root, &l.root
	}
}

func (l *lru[K, V]) len() int { return len(l.items) }

// get returns the value of k and marks it as most recently used.
func (l *lru[K, V]) get(k K) (V, bool) {
	it, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	l.unlink(it)
	l.pushFront(it)
	return it.val, true
}

// peek returns the value of k and leaves the order as it is.
func (l *lru[K, V]) peek(k K) (V, bool) {
	it, ok := l.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return it.val, true
}

// add sets the value of k and marks it as most recently used, evicting the
// least recently used entry if the cache is over its limit; it returns the
// key of the entry evicted, if any.
func (l *lru[K, V]) add(k K, v V) (evicted K, ok bool) {
	l.init()
	if it, ok := l.items[k]; ok {
		it.val = v
		l.unlink(it)
		l.pushFront(it)
		return evicted, false
	}
	var it *lruItem[K, V]
	if len(l.items) >= l.limit {
		// Reuse the evicted item.
		it = l.root.prev
		l.unlink(it)
		delete(l.items, it.key)
		evicted, ok = it.key, true
	} else {
		it = new(lruItem[K, V])
	}
	it.key, it.val = k, v
	l.items[k] = it
	l.pushFront(it)
	return evicted, ok
}

// oldestWhere returns the least recently used key for which match reports
// true.
func (l *lru[K, V]) oldestWhere(match func(K) bool) (K, bool) {
	for it := l.root.prev; it != nil && it != &l.root; it = it.prev {
		if match(it.key) {
			return it.key, true
		}
	}
	var zero K
	return zero, false
}

// remove deletes k; it reports whether k was there.
func (l *lru[K, V]) remove(k K) bool {
	it, ok := l.items[k]
	if !ok {
		return false
	}
	l.unlink(it)
	delete(l.items, k)
	return true
}

// oldest returns the least recently used entry.
func (l *lru[K, V]) oldest() (K, V, bool) {
	if len(l.items) == 0 {
		var (
			k K
			v V
		)
		return k, v, false
	}
	it := l.root.prev
	return it.key, it.val, true
}

// removeOldest deletes the least recently used entry, if any.
func (l *lru[K, V]) removeOldest() {
	if len(l.items) > 0 {
		it := l.root.prev
		l.unlink(it)
		delete(l.items, it.key)
	}
}

func (l *lru[K, V]) unlink(it *lruItem[K, V]) {
	it.prev.next = it.next
	it.next.prev = it.prev
	it.prev, it.next = nil, nil
}

func (l *lru[K, V]) pushFront(it *lruItem[K, V]) {
	it.prev = &l.root
	it.next = l.root.next
	l.root.next.prev = it
	l.root.next = it
}

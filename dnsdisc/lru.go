package dnsdisc

import "container/list"

// lru is a map of at most limit items that drops the least recently used
// one to make room. It is not safe for concurrent use.
type lru[K comparable, V any] struct {
	limit int
	items map[K]*list.Element // of lruItem[K, V]
	order list.List           // most recently used first
}

type lruItem[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](limit int) *lru[K, V] {
	return &lru[K, V]{limit: max(limit, 1), items: make(map[K]*list.Element)}
}

func (c *lru[K, V]) get(k K) (v V, ok bool) {
	el, ok := c.items[k]
	if !ok {
		return v, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruItem[K, V]).val, true
}

func (c *lru[K, V]) add(k K, v V) {
	if el, ok := c.items[k]; ok {
		el.Value.(*lruItem[K, V]).val = v
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&lruItem[K, V]{k, v})
	if len(c.items) > c.limit {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruItem[K, V]).key)
	}
}

func (c *lru[K, V]) len() int { return len(c.items) }

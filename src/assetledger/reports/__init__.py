"""Documents people read: public notices, charts."""

"""Intelligence feeds: police and partners send entities and links by file and by the API, with
the promises of the other feeds (docs/feeds/README.md)."""

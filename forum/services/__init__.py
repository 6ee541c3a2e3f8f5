"""Domain actions shared by every door (API, pages, Socket.IO, CLI)."""

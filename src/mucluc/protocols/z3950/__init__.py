"""Z39.50 (ANSI/NISO Z39.50-2003, ISO 23950) for copy cataloguing: codec, associations, server."""

"""Interoperability with the field's formats (issue 18): ACLED codes and files."""

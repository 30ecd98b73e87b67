from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FasterPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 100_000

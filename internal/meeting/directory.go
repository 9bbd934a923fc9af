package meeting

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// userTypeNormal is the directory type of a person (as opposed to a terminal).
const userTypeNormal = "NORMAL_USER"

// DirectoryUser is one corporate-directory entry (Huawei's UserDto).
type DirectoryUser struct {
	ID        string `json:"id"`
	Account   string `json:"account"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`  // mobile number; empty when hidden
	Number    string `json:"number"` // SIP number: invite it with TypeNormal
	Type      string `json:"type"`   // NORMAL_USER, HARD_TERMINAL, WHITE_BOARD, HW_VISION_MEMBER
	HidePhone bool   `json:"hidePhone"`
}

// DirectoryPage is the response of GET v1/usg/abs/users.
type DirectoryPage struct {
	Offset int             `json:"offset"`
	Limit  int             `json:"limit"`
	Count  int             `json:"count"`
	Data   []DirectoryUser `json:"data"`
}

// SearchDirectoryRequest is the query of GET v1/usg/abs/users.
type SearchDirectoryRequest struct {
	SearchKey     string // fuzzy match on account, name, mobile, e-mail and SIP number
	Offset, Limit int    // Limit 0 leaves the page size to the server
}

// SearchDirectory searches the corporate directory.
func (c *Client) SearchDirectory(ctx context.Context, in SearchDirectoryRequest) (*DirectoryPage, error) {
	p, err := c.searchDirectory(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("search directory: %w", err)
	}
	return p, nil
}

func (c *Client) searchDirectory(ctx context.Context, in SearchDirectoryRequest) (*DirectoryPage, error) {
	q := url.Values{
		"searchKey": {in.SearchKey},
		"offset":    {strconv.Itoa(in.Offset)},
	}
	if in.Limit > 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	var p DirectoryPage
	if err := c.getWithAccessToken(ctx, "v1/usg/abs/users?"+q.Encode(), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindUserByEmail returns the one person in the directory whose e-mail address is
// email (ignoring case). Zero or several such people (in the first 10 search results)
// give an error matching ErrNoDirectoryMatch.
func (c *Client) FindUserByEmail(ctx context.Context, email string) (DirectoryUser, error) {
	u, err := c.findUserByEmail(ctx, strings.TrimSpace(email))
	if err != nil {
		return DirectoryUser{}, fmt.Errorf("find directory user by e-mail: %w", err)
	}
	return u, nil
}

func (c *Client) findUserByEmail(ctx context.Context, email string) (DirectoryUser, error) {
	if email == "" {
		return DirectoryUser{}, fmt.Errorf("empty e-mail address: %w", ErrNoDirectoryMatch)
	}
	page, err := c.searchDirectory(ctx, SearchDirectoryRequest{SearchKey: email, Offset: 0, Limit: 10})
	if err != nil {
		return DirectoryUser{}, err
	}
	var matches []DirectoryUser
	for _, u := range page.Data {
		if strings.EqualFold(strings.TrimSpace(u.Email), email) && (u.Type == "" || u.Type == userTypeNormal) {
			matches = append(matches, u)
		}
	}
	if len(matches) != 1 {
		return DirectoryUser{}, fmt.Errorf("%d exact matches: %w", len(matches), ErrNoDirectoryMatch)
	}
	return matches[0], nil
}
